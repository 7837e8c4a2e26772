"""Reserved slot: seeds: SAP membership and attendance, structured service-needs assessment, client's network

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: f18c0de00006
Revises: e19c0de00005
Create Date: 2026-12-06 11:45:00

"""

# revision identifiers, used by Alembic.
revision = 'f18c0de00006'
down_revision = 'e19c0de00005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
