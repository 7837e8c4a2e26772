"""Clients' identity (keyed hash of the personal identity code), activation codes, service start, transfer and end

Revision ID: b13c0de00002
Revises: a13c0de00001
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b13c0de00002'
down_revision = 'a13c0de00001'
branch_labels = None
depends_on = None


def upgrade():
    _upgrade_identity()
    # service lifecycle: below


def downgrade():
    # service lifecycle: above
    _downgrade_identity()


def _upgrade_identity():
    """Clients' identity: birth date, the keyed hash of the identity code, the units that registered them."""
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('identity_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('duplicate_reason', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_clients_identity_hash'), ['identity_hash'])
    op.create_table(
        'client_units',
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_units_client_id_clients'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_client_units_unit_id_org_units'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_client_units_added_by_id_users')),
        sa.PrimaryKeyConstraint('client_id', 'unit_id', name=op.f('pk_client_units')),
    )
    with op.batch_alter_table('client_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_units_unit_id'), ['unit_id'], unique=False)
    # Clients already served belong to the units of their services.
    op.execute("INSERT INTO client_units (client_id, unit_id, added_at) "
               "SELECT DISTINCT client_id, unit_id, CURRENT_TIMESTAMP FROM enrolments")


def _downgrade_identity():
    with op.batch_alter_table('client_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_units_unit_id'))
    op.drop_table('client_units')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_clients_identity_hash'), type_='unique')
        batch_op.drop_column('duplicate_reason')
        batch_op.drop_column('identity_hash')
        batch_op.drop_column('birth_date')
