"""Video rooms know whether they were started as "meeting now" (ad hoc)

An ad-hoc meeting behaves like a call: ending it shortens its booking to the time used, and its host
can reopen it for a while. The flag tells such a room from a planned appointment's room.

Revision ID: b17c0de00008
Revises: a17c0de00007
Create Date: 2026-12-06 11:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b17c0de00008'
down_revision = 'a17c0de00007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('video_rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adhoc', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('video_rooms', schema=None) as batch_op:
        batch_op.drop_column('adhoc')
