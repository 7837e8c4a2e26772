"""Reserved slot: the client at home, second part (issue 16)

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: b16c0de00014
Revises: a21c0de00013
Create Date: 2026-12-06 15:00:00

"""

# revision identifiers, used by Alembic.
revision = 'b16c0de00014'
down_revision = 'a21c0de00013'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
