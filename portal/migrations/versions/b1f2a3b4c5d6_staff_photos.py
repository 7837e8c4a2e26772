"""Staff photos (the care-team card)

Revision ID: b1f2a3b4c5d6
Revises: a0e1f2a3b4c5
Create Date: 2026-11-22 19:50:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = 'b1f2a3b4c5d6'
down_revision = 'a0e1f2a3b4c5'
branch_labels = None
depends_on = None


def upgrade():
    # One photo per staff member, re-encoded as JPEG on upload (never the uploaded bytes).
    op.create_table('staff_photos',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0 AND size <= 1048576', name=op.f('ck_staff_photos_size_range')),
    sa.CheckConstraint('width BETWEEN 1 AND 512 AND height BETWEEN 1 AND 512',
                       name=op.f('ck_staff_photos_dimensions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_photos_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_staff_photos'))
    )


def downgrade():
    op.drop_table('staff_photos')
