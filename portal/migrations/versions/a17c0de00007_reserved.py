"""Reserved slot: worker's day: client requests as tasks

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: a17c0de00007
Revises: f18c0de00006
Create Date: 2026-12-06 11:45:00

"""

# revision identifiers, used by Alembic.
revision = 'a17c0de00007'
down_revision = 'f18c0de00006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
