"""Reserved slot: group video through Janus

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: a21c0de00013
Revises: f16c0de00012
Create Date: 2026-12-06 11:45:00

"""

# revision identifiers, used by Alembic.
revision = 'a21c0de00013'
down_revision = 'f16c0de00012'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
