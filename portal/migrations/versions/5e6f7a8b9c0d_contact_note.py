"""contacts.note: the worker's short optional note on a meeting record

Revision ID: 5e6f7a8b9c0d
Revises: 3f7a9c1e5b20
Create Date: 2026-11-22 17:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e6f7a8b9c0d'
down_revision = '3f7a9c1e5b20'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch copy of the table): nullable, so existing records need nothing.
    op.add_column('contacts', sa.Column('note', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('note')
