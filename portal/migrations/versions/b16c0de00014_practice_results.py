"""A client's practice result is kept for the person, not the browser

``video_practice_results``: each client's latest echo test (when, verdict), from the practice page or a
meeting's device check on any device; a good one lets the check before a meeting be skipped.

Revision ID: b16c0de00014
Revises: a21c0de00013
Create Date: 2026-12-06 15:00:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'b16c0de00014'
down_revision = 'a21c0de00013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'video_practice_results',
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('practiced_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('verdict', sa.Enum('video', 'voice', 'poor', 'unavailable', name='practiceverdict',
                                     native_enum=False, create_constraint=True, length=16), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_video_practice_results_client_id_clients'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('client_id', name=op.f('pk_video_practice_results')),
    )


def downgrade():
    op.drop_table('video_practice_results')
