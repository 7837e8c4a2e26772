"""Server-side sessions: one row per signed-in browser (portal/auth/session.py)

Revision ID: d19c0de00004
Revises: c14c0de00003
Create Date: 2026-12-06 08:50:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'd19c0de00004'
down_revision = 'c14c0de00003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'auth_sessions',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('method', sa.String(length=40), nullable=False),
        sa.Column('browser', sa.String(length=20), nullable=False),
        sa.CheckConstraint('expires_at > created_at', name=op.f('ck_auth_sessions_expires_after_created')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_auth_sessions_token_hash')),
    )
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auth_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_sessions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_auth_sessions_user_id'))
    op.drop_table('auth_sessions')
