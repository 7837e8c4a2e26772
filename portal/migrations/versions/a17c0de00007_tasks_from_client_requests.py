"""Tasks from clients' requests (change, callback, a phone call instead), and the indexes of "needs attention"

The indexes were chosen with bench/attention.py at county scale: the open tasks of a caseload (partial),
its FIT series (covering, partial: an index-only scan), its meetings in a period and those still booked.

Revision ID: a17c0de00007
Revises: f18c0de00006
Create Date: 2026-12-06 11:45:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'a17c0de00007'
down_revision = 'f18c0de00006'
branch_labels = None
depends_on = None

FIT = "status = 'submitted' AND instrument_code IN ('ors', 'srs')"
OPEN = "status IN ('booked', 'confirmed')"


def upgrade():
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('change_request', 'callback', 'phone_instead', name='taskkind', native_enum=False,
                              create_constraint=True, length=24), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('change_request_id', sa.Integer(), nullable=True),
    sa.Column('callback_id', sa.Integer(), nullable=True),
    sa.Column('words', sa.Text(), nullable=True),
    sa.Column('preferred_times', sa.Text(), nullable=True),
    sa.Column('wants_modality', sa.Enum('video', 'phone', 'home_visit', 'reception', 'email', 'text_message',
                                        name='modality', native_enum=False, create_constraint=True, length=16),
              nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('state', sa.Enum('new', 'handled', name='taskstate', native_enum=False, create_constraint=True,
                               length=16), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('new_appointment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(state = 'handled') = (handled_at IS NOT NULL)", name=op.f('ck_tasks_handled_has_time')),
    sa.CheckConstraint('(handled_at IS NULL) = (handled_by_id IS NULL)', name=op.f('ck_tasks_handled_by_whom')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_tasks_appointment_id_appointments'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['callback_id'], ['callback_requests.id'],
                            name=op.f('fk_tasks_callback_id_callback_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['change_request_id'], ['appointment_change_requests.id'],
                            name=op.f('fk_tasks_change_request_id_appointment_change_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_tasks_client_id_clients')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_tasks_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_tasks_handled_by_id_users')),
    sa.ForeignKeyConstraint(['new_appointment_id'], ['appointments.id'],
                            name=op.f('fk_tasks_new_appointment_id_appointments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    sa.UniqueConstraint('callback_id', name=op.f('uq_tasks_callback_id')),
    sa.UniqueConstraint('change_request_id', name=op.f('uq_tasks_change_request_id')),
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_tasks_open_enrolment', ['enrolment_id'], unique=False,
                              postgresql_where=sa.text("state = 'new'"), sqlite_where=sa.text("state = 'new'"))
    # A caseload's meetings in a period (questionnaires not answered), and those still booked (to record).
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_enrolment_ends', ['enrolment_id', 'ends_at'], unique=False)
        batch_op.create_index('ix_appointments_open_enrolment', ['enrolment_id', 'ends_at'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    # A caseload's FIT series (portal/tasks/attention.py) from the index alone on PostgreSQL.
    op.create_index('ix_measure_answers_fit', 'measure_answers', ['enrolment_id'], unique=False,
                    postgresql_include=['appointment_id', 'instrument_code', 'total'],
                    postgresql_where=sa.text(FIT), sqlite_where=sa.text(FIT))


def downgrade():
    op.drop_index('ix_measure_answers_fit', table_name='measure_answers')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_open_enrolment')
        batch_op.drop_index('ix_appointments_enrolment_ends')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_open_enrolment')
        batch_op.drop_index(batch_op.f('ix_tasks_client_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_appointment_id'))
    op.drop_table('tasks')
