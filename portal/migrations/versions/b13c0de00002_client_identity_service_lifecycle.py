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
    _upgrade_lifecycle()


def downgrade():
    # service lifecycle: above
    _downgrade_lifecycle()
    _downgrade_identity()


def _upgrade_identity():
    """Clients' identity: birth date, the keyed hash of the identity code, the units that registered them."""
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('identity_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('duplicate_reason', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_clients_identity_hash'), ['identity_hash'])
    # The duplicate check of a registration without an identity code: same name (any case) and birth year.
    # A plain index (an expression index would make SQLite's batch migrations warn when they reflect clients).
    op.create_index('ix_clients_birth_year', 'clients', ['birth_year'])
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
    op.drop_index('ix_clients_birth_year', table_name='clients')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_clients_identity_hash'), type_='unique')
        batch_op.drop_column('duplicate_reason')
        batch_op.drop_column('identity_hash')
        batch_op.drop_column('birth_date')


def _upgrade_lifecycle():
    """Service start, transfer and end: the coordinator's role, the decision, the end reason, handovers."""
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coordinator_role', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('decision_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_valid_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_enrolments_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_enrolments_decided_by_id_users'), 'users', ['decided_by_id'],
                                    ['id'])
        batch_op.create_check_constraint(op.f('ck_enrolments_end_reason_only_ended'),
                                         "end_reason IS NULL OR status = 'ended'")
        batch_op.create_check_constraint(
            op.f('ck_enrolments_decision_valid_after_made'),
            'decision_valid_until IS NULL OR decision_on IS NULL OR decision_valid_until >= decision_on')
    op.create_table(
        'enrolment_transfers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('from_user_id', sa.Integer(), nullable=True),
        sa.Column('to_user_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('to_user_id <> from_user_id', name=op.f('ck_enrolment_transfers_to_someone_else')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'],
                                name=op.f('fk_enrolment_transfers_enrolment_id_enrolments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_enrolment_transfers_from_user_id_users')),
        sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_enrolment_transfers_to_user_id_users')),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_enrolment_transfers_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_transfers')),
    )
    with op.batch_alter_table('enrolment_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_transfers_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_transfers_to_user_id'), ['to_user_id'], unique=False)


def _downgrade_lifecycle():
    op.drop_table('enrolment_transfers')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_enrolments_decision_valid_after_made'), type_='check')
        batch_op.drop_constraint(op.f('ck_enrolments_end_reason_only_ended'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_enrolments_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_enrolments_decided_by_id'))
        batch_op.drop_column('end_reason')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decision_valid_until')
        batch_op.drop_column('decision_on')
        batch_op.drop_column('coordinator_role')
