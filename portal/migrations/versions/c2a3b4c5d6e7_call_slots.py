"""Call slots of health social work (phone-call times a worker publishes)

Revision ID: c2a3b4c5d6e7
Revises: b1f2a3b4c5d6
Create Date: 2026-11-22 19:50:00

Closing a group and its notices need no new columns (``groups.closed``/``closed_at`` exist already).
This revision adds the call slots of health social work (seed 004): phone-call times a worker
publishes, each taken by one booked appointment.
"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = 'c2a3b4c5d6e7'
down_revision = 'b1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_call_slots_ends_after_start')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'],
                            name=op.f('fk_call_slots_appointment_id_appointments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_call_slots_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_slots')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_call_slots_appointment_id')),
    sa.UniqueConstraint('user_id', 'starts_at', name=op.f('uq_call_slots_user_id_starts_at'))
    )
    with op.batch_alter_table('call_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_slots_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_slots_user_id'))

    op.drop_table('call_slots')
