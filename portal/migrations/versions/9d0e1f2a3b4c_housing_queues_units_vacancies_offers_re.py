"""Housing queues, units, vacancies, offers, residencies

Revision ID: 9d0e1f2a3b4c
Revises: 8c9d0e1f2a3b
Create Date: 2026-11-22 19:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import portal.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = '9d0e1f2a3b4c'
down_revision = '8c9d0e1f2a3b'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
