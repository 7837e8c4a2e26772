"""Group video through Janus (issue 21): a video room's media path, the browsers' mesh or the SFU

``video_rooms.media`` is ``mesh`` (every browser sends to every other, up to four people) or ``sfu``
(Janus forwards: group sessions and bigger meetings). Existing rooms were all mesh.

Revision ID: a21c0de00013
Revises: f16c0de00012
Create Date: 2026-12-06 11:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a21c0de00013'
down_revision = 'f16c0de00012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('video_rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('media', sa.Enum('mesh', 'sfu', name='roommedia', native_enum=False,
                                                       create_constraint=True, length=8),
                                      nullable=False, server_default='mesh'))


def downgrade():
    with op.batch_alter_table('video_rooms', schema=None) as batch_op:
        batch_op.drop_column('media')
