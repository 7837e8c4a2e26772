"""Referrals and consultations, contact outcomes

Revision ID: a0e1f2a3b4c5
Revises: 9d0e1f2a3b4c
Create Date: 2026-11-22 19:50:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = 'a0e1f2a3b4c5'
down_revision = '9d0e1f2a3b4c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('referral', 'consultation', name='referralkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.Enum('today', 'this_week', 'normal', name='urgency', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status', sa.Enum('open', 'accepted', 'answered', name='referralstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('birth_year', sa.SmallInteger(), nullable=True),
    sa.Column('gender', sa.Enum('female', 'male', 'other', 'unknown', name='gender', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('municipality_code', sa.String(length=3), nullable=True),
    sa.Column('language', sa.Enum('fi', 'sv', 'other', name='clientlanguage', native_enum=False, create_constraint=True, length=8), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('pensioner', sa.Boolean(), nullable=True),
    sa.Column('social_welfare_client', sa.Boolean(), nullable=True),
    sa.Column('person_key', sa.String(length=220), nullable=True),
    sa.Column('consent_by', sa.Enum('client', 'representative', name='consentby', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('consent_how', sa.Enum('verbal', 'written', name='consenthow', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('handled_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'accepted') = (enrolment_id IS NOT NULL)", name=op.f('ck_referrals_accepted_has_enrolment')),
    sa.CheckConstraint("(status = 'answered') = (answer IS NOT NULL)", name=op.f('ck_referrals_answered_has_answer')),
    sa.CheckConstraint("(status = 'open') = (handled_at IS NULL)", name=op.f('ck_referrals_handled_when_closed')),
    sa.CheckConstraint("kind = 'consultation' OR (consent_by IS NOT NULL AND consent_on IS NOT NULL AND consent_how IS NOT NULL)", name=op.f('ck_referrals_referral_has_consent')),
    sa.CheckConstraint("kind = 'consultation' OR (first_name IS NOT NULL AND last_name IS NOT NULL AND birth_year IS NOT NULL AND gender IS NOT NULL AND municipality_code IS NOT NULL AND language IS NOT NULL AND pensioner IS NOT NULL AND social_welfare_client IS NOT NULL)", name=op.f('ck_referrals_referral_names_person')),
    sa.CheckConstraint("status <> 'accepted' OR kind = 'referral'", name=op.f('ck_referrals_only_referrals_accepted')),
    sa.CheckConstraint("status <> 'answered' OR kind = 'consultation'", name=op.f('ck_referrals_only_consultations_answered')),
    sa.CheckConstraint('(handled_at IS NULL) = (handled_by_id IS NULL)', name=op.f('ck_referrals_handled_by_whom')),
    sa.CheckConstraint('birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100', name=op.f('ck_referrals_birth_year_range')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_referrals_client_id_clients')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_referrals_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_referrals_handled_by_id_users')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_referrals_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['referrer_id'], ['users.id'], name=op.f('fk_referrals_referrer_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_referrals_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_referrals_enrolment_id'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_referrals_inbox', ['unit_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_referrer_id'), ['referrer_id'], unique=False)
        batch_op.create_index('uq_referrals_open_person', ['unit_id', 'person_key'], unique=True, sqlite_where=sa.text("status = 'open' AND kind = 'referral'"), postgresql_where=sa.text("status = 'open' AND kind = 'referral'"))

    # Batch: SQLite copies the table to add the CHECK constraints (PostgreSQL alters it in place). The
    # enum's own CHECK is created by name here, not by the type, so that both databases get it and the
    # downgrade can drop it by the same name.
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.Enum('served', 'follow_up', 'referred_onwards', name='contactoutcome', native_enum=False, create_constraint=False, length=24), nullable=True))
        batch_op.create_check_constraint(op.f('ck_contacts_contactoutcome'), "outcome IN ('served', 'follow_up', 'referred_onwards')")
        batch_op.create_check_constraint(op.f('ck_contacts_outcome_only_when_held'), "status = 'held' OR outcome IS NULL")


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contacts_outcome_only_when_held'), type_='check')
        batch_op.drop_constraint(op.f('ck_contacts_contactoutcome'), type_='check')
        batch_op.drop_column('outcome')

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('uq_referrals_open_person', sqlite_where=sa.text("status = 'open' AND kind = 'referral'"), postgresql_where=sa.text("status = 'open' AND kind = 'referral'"))
        batch_op.drop_index(batch_op.f('ix_referrals_referrer_id'))
        batch_op.drop_index('ix_referrals_inbox')
        batch_op.drop_index(batch_op.f('ix_referrals_client_id'))

    op.drop_table('referrals')
