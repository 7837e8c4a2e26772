"""Reserved slot: client at home: home, call and feedback windows

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: e16c0de00011
Revises: d20c0de00010
Create Date: 2026-12-06 11:45:00

"""

# revision identifiers, used by Alembic.
revision = 'e16c0de00011'
down_revision = 'd20c0de00010'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
