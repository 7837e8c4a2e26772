"""Report indexes

Revision ID: e4c5d6e7f8a9
Revises: d3b4c5d6e7f8
Create Date: 2026-11-22 19:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import portal.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'e4c5d6e7f8a9'
down_revision = 'd3b4c5d6e7f8'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
