"""Reserved slot: interoperability: FHIR facade

A fixed chain of revisions lets parallel work add schema changes without a second head.
Until its feature needs one, this revision changes nothing.

Revision ID: d20c0de00010
Revises: c20c0de00009
Create Date: 2026-12-06 11:45:00

"""

# revision identifiers, used by Alembic.
revision = 'd20c0de00010'
down_revision = 'c20c0de00009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
