"""Referrals and consultations, contact outcomes

Revision ID: a0e1f2a3b4c5
Revises: 9d0e1f2a3b4c
Create Date: 2026-11-22 19:50:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import portal.db  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a0e1f2a3b4c5'
down_revision = '9d0e1f2a3b4c'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
