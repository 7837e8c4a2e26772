"""Housing intake, assessments, decision meetings, decisions

Revision ID: 8c9d0e1f2a3b
Revises: 7b8c9d0e1f2a
Create Date: 2026-11-22 19:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import portal.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '8c9d0e1f2a3b'
down_revision = '7b8c9d0e1f2a'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
