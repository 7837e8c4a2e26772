"""Closed groups: closing and notices

Revision ID: c2a3b4c5d6e7
Revises: b1f2a3b4c5d6
Create Date: 2026-11-22 19:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import portal.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'c2a3b4c5d6e7'
down_revision = 'b1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
