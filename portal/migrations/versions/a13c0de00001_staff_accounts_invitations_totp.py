"""Staff accounts: invitations, password resets, two-step verification (TOTP), session generations

Revision ID: a13c0de00001
Revises: f5a6b7c8d9e0
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'a13c0de00001'
down_revision = 'f5a6b7c8d9e0'
branch_labels = None
depends_on = None


def upgrade():
    pass  # reserved: filled in by the accounts work


def downgrade():
    pass
