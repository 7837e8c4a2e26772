"""Measures: group sessions and reminders

Revision ID: d3b4c5d6e7f8
Revises: c2a3b4c5d6e7
Create Date: 2026-11-22 19:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import portal.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'd3b4c5d6e7f8'
down_revision = 'c2a3b4c5d6e7'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
