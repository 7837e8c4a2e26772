"""API clients, their authorisation codes and tokens, used client assertions, bulk exports (SMART on FHIR)

Revision ID: c20c0de00009
Revises: b17c0de00008
Create Date: 2026-12-06 11:45:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'c20c0de00009'
down_revision = 'b17c0de00008'
branch_labels = None
depends_on = None

T = portal.db.UTCDateTime(timezone=True)


def _enum(name, values, length=16):
    return sa.Enum(*values, name=name, native_enum=False, length=length, create_constraint=True)


def upgrade():
    op.create_table(
        'api_clients',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', _enum('clientkind', ['system', 'app']), nullable=False),
        sa.Column('redirect_uris', sa.JSON(), nullable=False),
        sa.Column('jwks', sa.JSON(), nullable=True),
        sa.Column('jwks_url', sa.String(length=500), nullable=True),
        sa.Column('jwks_fetched_at', T, nullable=True),
        sa.Column('all_units', sa.Boolean(), nullable=False),
        sa.Column('created_at', T, nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=True),
        sa.Column('revoked_at', T, nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
        sa.UniqueConstraint('client_id', name=op.f('uq_api_clients_client_id')),
        sa.UniqueConstraint('name', name=op.f('uq_api_clients_name')),
    )
    op.create_table(
        'api_client_units',
        sa.Column('api_client_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'],
                                name=op.f('fk_api_client_units_api_client_id_api_clients'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_api_client_units_unit_id_org_units'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('api_client_id', 'unit_id', name=op.f('pk_api_client_units')),
    )
    op.create_table(
        'api_authorization_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('api_client_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('redirect_uri', sa.Text(), nullable=False),
        sa.Column('scope', sa.Text(), nullable=False),
        sa.Column('nonce', sa.String(length=255), nullable=True),
        sa.Column('code_challenge', sa.String(length=128), nullable=False),
        sa.Column('code_challenge_method', sa.String(length=10), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=True),
        sa.Column('created_at', T, nullable=False),
        sa.Column('expires_at', T, nullable=False),
        sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'],
                                name=op.f('fk_api_authorization_codes_api_client_id_api_clients'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['patient_id'], ['clients.id'],
                                name=op.f('fk_api_authorization_codes_patient_id_clients'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_authorization_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_authorization_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_api_authorization_codes_code_hash')),
    )
    with op.batch_alter_table('api_authorization_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_authorization_codes_api_client_id'), ['api_client_id'], unique=False)
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('api_client_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('patient_id', sa.Integer(), nullable=True),
        sa.Column('scope', sa.Text(), nullable=False),
        sa.Column('audience', sa.String(length=500), nullable=False),
        sa.Column('issued_at', T, nullable=False),
        sa.Column('expires_at', T, nullable=False),
        sa.Column('revoked_at', T, nullable=True),
        sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'],
                                name=op.f('fk_api_tokens_api_client_id_api_clients'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['patient_id'], ['clients.id'], name=op.f('fk_api_tokens_patient_id_clients'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_api_client_id'), ['api_client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_expires_at'), ['expires_at'], unique=False)
    op.create_table(
        'api_used_assertions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('api_client_id', sa.Integer(), nullable=False),
        sa.Column('jti', sa.String(length=255), nullable=False),
        sa.Column('expires_at', T, nullable=False),
        sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'],
                                name=op.f('fk_api_used_assertions_api_client_id_api_clients'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_used_assertions')),
        sa.UniqueConstraint('api_client_id', 'jti', name=op.f('uq_api_used_assertions_api_client_id_jti')),
    )
    with op.batch_alter_table('api_used_assertions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_used_assertions_expires_at'), ['expires_at'], unique=False)
    op.create_table(
        'bulk_exports',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('api_client_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('types', sa.JSON(), nullable=False),
        sa.Column('since', T, nullable=True),
        sa.Column('request_url', sa.String(length=2000), nullable=False),
        sa.Column('status', _enum('exportstatus', ['queued', 'running', 'done', 'failed']), nullable=False),
        sa.Column('progress', sa.String(length=100), nullable=True),
        sa.Column('output', sa.JSON(), nullable=True),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.Column('requested_at', T, nullable=False),
        sa.Column('finished_at', T, nullable=True),
        sa.Column('expires_at', T, nullable=False),
        sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'],
                                name=op.f('fk_bulk_exports_api_client_id_api_clients'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_bulk_exports_unit_id_org_units'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_exports')),
    )
    with op.batch_alter_table('bulk_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_exports_api_client_id'), ['api_client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulk_exports_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulk_exports_expires_at'), ['expires_at'], unique=False)


def downgrade():
    op.drop_table('bulk_exports')
    op.drop_table('api_used_assertions')
    op.drop_table('api_tokens')
    op.drop_table('api_authorization_codes')
    op.drop_table('api_client_units')
    op.drop_table('api_clients')
