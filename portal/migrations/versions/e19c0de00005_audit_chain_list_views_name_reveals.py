"""Audit: the tamper-evident chain, the clients a list page showed, administrators' reasoned name reveals

Revision ID: e19c0de00005
Revises: d19c0de00004
Create Date: 2026-12-06 08:40:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'e19c0de00005'
down_revision = 'd19c0de00004'
branch_labels = None
depends_on = None

MESSAGE = 'audit records cannot be changed or deleted'
# Every column of audit_records but chain_hash: the sealing job may set chain_hash once, nothing else changes.
FIXED = ('id', 'at', 'actor_id', 'client_id', 'feature', 'action', 'object_type', 'object_id', 'detail')


def upgrade():
    # ADD COLUMN, not a batch copy: SQLite keeps the table and its triggers.
    op.add_column('audit_records', sa.Column('chain_hash', sa.String(length=64), nullable=True))
    op.create_table(
        'audit_record_clients',
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_audit_record_clients_client_id_clients')),
        sa.ForeignKeyConstraint(['record_id'], ['audit_records.id'],
                                name=op.f('fk_audit_record_clients_record_id_audit_records')),
        sa.PrimaryKeyConstraint('client_id', 'record_id', name=op.f('pk_audit_record_clients')),
    )
    op.create_index(op.f('ix_audit_record_clients_record_id'), 'audit_record_clients', ['record_id'], unique=False)
    op.create_table(
        'audit_name_reveals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_audit_name_reveals_client_id_clients')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_name_reveals_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_name_reveals')),
    )
    op.create_index(op.f('ix_audit_name_reveals_client_id'), 'audit_name_reveals', ['client_id'], unique=False)
    op.create_index(op.f('ix_audit_name_reveals_user_id'), 'audit_name_reveals', ['user_id'], unique=False)
    _protect(sealable=True)


def downgrade():
    _protect(sealable=False)
    op.drop_index(op.f('ix_audit_name_reveals_user_id'), table_name='audit_name_reveals')
    op.drop_index(op.f('ix_audit_name_reveals_client_id'), table_name='audit_name_reveals')
    op.drop_table('audit_name_reveals')
    op.drop_index(op.f('ix_audit_record_clients_record_id'), table_name='audit_record_clients')
    op.drop_table('audit_record_clients')
    op.drop_column('audit_records', 'chain_hash')


def _protect(sealable: bool):
    """Audit rows stay immutable; with ``sealable`` the one change allowed is chain_hash from NULL to a value."""
    if op.get_bind().dialect.name == 'postgresql':
        allow = (
            "IF TG_OP = 'UPDATE' AND OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL "
            "AND (to_jsonb(OLD) - 'chain_hash') = (to_jsonb(NEW) - 'chain_hash') THEN RETURN NEW; END IF; "
        ) if sealable else ''
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_records_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {allow}RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        for table in ('audit_record_clients', 'audit_name_reveals'):
            if sealable:
                op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION audit_records_immutable()")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_records_no_update")
    when = ''
    if sealable:
        changed = ' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in FIXED)
        when = f'WHEN OLD.chain_hash IS NOT NULL OR NEW.chain_hash IS NULL OR {changed} '
    op.execute(f"CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records {when}"
               f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    for table in ('audit_record_clients', 'audit_name_reveals'):
        for event in ('UPDATE', 'DELETE'):
            name = f'{table}_no_{event.lower()}'
            if sealable:
                op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
