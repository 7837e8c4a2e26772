"""Calm mode for clients; a waiting client who is answering a questionnaire stays in the waiting list

``clients.calm_mode``: the client's choice of a quieter video meeting and home page (no sounds or
animations, own picture hidden, camera off when joining, one task per screen).
``video_participants.away_since``: the client left the waiting room page to answer the ORS and is coming
back; until then the worker still sees them waiting. ``video_participants.admitted_session``: the
signed-in session an admission was given in; it holds for that session and the meeting's time only.

Revision ID: e16c0de00011
Revises: d20c0de00010
Create Date: 2026-12-06 11:45:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'e16c0de00011'
down_revision = 'd20c0de00010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calm_mode', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('video_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_since', portal.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('admitted_session', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('video_participants', schema=None) as batch_op:
        batch_op.drop_column('admitted_session')
        batch_op.drop_column('away_since')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('calm_mode')
