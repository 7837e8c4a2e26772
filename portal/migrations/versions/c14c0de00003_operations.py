"""Operations: worker heartbeat and what production needs in the database

Revision ID: c14c0de00003
Revises: b13c0de00002
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'c14c0de00003'
down_revision = 'b13c0de00002'
branch_labels = None
depends_on = None


def upgrade():
    pass  # reserved: filled in by the production work


def downgrade():
    pass
