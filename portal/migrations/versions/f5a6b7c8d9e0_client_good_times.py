"""Clients' good times for meetings (weekdays and parts of the day) for the slot finder

Revision ID: f5a6b7c8d9e0
Revises: e4c5d6e7f8a9
Create Date: 2026-11-22 21:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f5a6b7c8d9e0'
down_revision = 'e4c5d6e7f8a9'
branch_labels = None
depends_on = None


def upgrade():
    # Existing clients have no preference: an empty list each (the server default fills the rows).
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_weekdays', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('preferred_day_parts', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('preferred_day_parts')
        batch_op.drop_column('preferred_weekdays')
