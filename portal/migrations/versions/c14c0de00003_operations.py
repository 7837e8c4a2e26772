"""Operations: worker heartbeat and what production needs in the database

Revision ID: c14c0de00003
Revises: b13c0de00002
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'c14c0de00003'
down_revision = 'b13c0de00002'
branch_labels = None
depends_on = None


def upgrade():
    # The job runner's heartbeat when no Redis is configured (portal/ops/heartbeat.py).
    op.create_table(
        'ops_heartbeats',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('beat_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.CheckConstraint('runs >= 0 AND failures >= 0 AND failures <= runs', name=op.f('ck_ops_heartbeats_counts')),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_ops_heartbeats')),
    )


def downgrade():
    op.drop_table('ops_heartbeats')
