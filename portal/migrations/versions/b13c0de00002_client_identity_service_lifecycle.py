"""Clients' identity (keyed hash of the personal identity code), activation codes, service start, transfer and end

Revision ID: b13c0de00002
Revises: a13c0de00001
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'b13c0de00002'
down_revision = 'a13c0de00001'
branch_labels = None
depends_on = None


def upgrade():
    pass  # reserved: filled in by the client-lifecycle work


def downgrade():
    pass
