"""Reserved slot: client at home: settings, questionnaire links, drafts

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: f16c0de00012
Revises: e16c0de00011
Create Date: 2026-12-06 11:45:00

"""

# revision identifiers, used by Alembic.
revision = 'f16c0de00012'
down_revision = 'e16c0de00011'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
