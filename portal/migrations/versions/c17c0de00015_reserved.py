"""Reserved slot: the worker's day, second part (issue 17)

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: c17c0de00015
Revises: b16c0de00014
Create Date: 2026-12-06 15:00:00

"""

# revision identifiers, used by Alembic.
revision = 'c17c0de00015'
down_revision = 'b16c0de00014'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
