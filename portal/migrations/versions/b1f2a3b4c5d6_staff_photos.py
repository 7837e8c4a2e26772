"""Care team: staff photos and plan gaps

Revision ID: b1f2a3b4c5d6
Revises: a0e1f2a3b4c5
Create Date: 2026-11-22 19:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import portal.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'b1f2a3b4c5d6'
down_revision = 'a0e1f2a3b4c5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
