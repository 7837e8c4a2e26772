"""Reserved slot: interoperability: API clients, tokens, bulk exports

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: c20c0de00009
Revises: b17c0de00008
Create Date: 2026-12-06 11:45:00

"""

# revision identifiers, used by Alembic.
revision = 'c20c0de00009'
down_revision = 'b17c0de00008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
