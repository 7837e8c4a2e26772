"""Reserved slot: worker's day: ad-hoc meetings and booking

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: b17c0de00008
Revises: a17c0de00007
Create Date: 2026-12-06 11:45:00

"""

# revision identifiers, used by Alembic.
revision = 'b17c0de00008'
down_revision = 'a17c0de00007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
