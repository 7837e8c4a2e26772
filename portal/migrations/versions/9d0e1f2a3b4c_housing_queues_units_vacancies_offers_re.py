"""Housing queues, units, vacancies, offers, residencies

Revision ID: 9d0e1f2a3b4c
Revises: 8c9d0e1f2a3b
Create Date: 2026-11-22 19:50:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '9d0e1f2a3b4c'
down_revision = '8c9d0e1f2a3b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('housing_queues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_type', sa.Enum('supported', 'communal', 'round_the_clock', name='housingservicetype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('deputy_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('deputy_id IS NULL OR deputy_id <> coordinator_id', name=op.f('ck_housing_queues_deputy_not_coordinator')),
    sa.ForeignKeyConstraint(['coordinator_id'], ['users.id'], name=op.f('fk_housing_queues_coordinator_id_users')),
    sa.ForeignKeyConstraint(['deputy_id'], ['users.id'], name=op.f('fk_housing_queues_deputy_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_housing_queues')),
    sa.UniqueConstraint('service_type', name=op.f('uq_housing_queues_service_type'))
    )
    op.create_table('housing_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('municipality_code', sa.String(length=3), nullable=False),
    sa.Column('service_type', sa.Enum('supported', 'communal', 'round_the_clock', name='housingservicetype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.CheckConstraint('places > 0', name=op.f('ck_housing_units_places_positive')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_housing_units_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_housing_units'))
    )
    with op.batch_alter_table('housing_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_housing_units_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_housing_units_service_type'), ['service_type'], unique=False)

    op.create_table('housing_unit_staff',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['housing_units.id'], name=op.f('fk_housing_unit_staff_unit_id_housing_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_housing_unit_staff_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'user_id', name=op.f('pk_housing_unit_staff'))
    )
    with op.batch_alter_table('housing_unit_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_housing_unit_staff_user_id'), ['user_id'], unique=False)

    op.create_table('vacancies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('free_from', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'filled', 'cancelled', name='vacancystatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('reported_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('filled_on', sa.Date(), nullable=True),
    sa.Column('days_to_fill', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'filled') = (filled_on IS NOT NULL)", name=op.f('ck_vacancies_filled_has_date')),
    sa.CheckConstraint('days_to_fill IS NULL OR days_to_fill >= 0', name=op.f('ck_vacancies_days_to_fill_positive')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_vacancies_reported_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['housing_units.id'], name=op.f('fk_vacancies_unit_id_housing_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vacancies'))
    )
    with op.batch_alter_table('vacancies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vacancies_unit_id'), ['unit_id'], unique=False)

    op.create_table('residencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_residencies_ends_after_start')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_residencies_ended_by_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_residencies_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['unit_id'], ['housing_units.id'], name=op.f('fk_residencies_unit_id_housing_units')),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancies.id'], name=op.f('fk_residencies_vacancy_id_vacancies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residencies'))
    )
    with op.batch_alter_table('residencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residencies_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_residencies_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_residencies_current_enrolment', ['enrolment_id'], unique=True, sqlite_where=sa.text('ends_on IS NULL'), postgresql_where=sa.text('ends_on IS NULL'))

    op.create_table('queue_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('preferred_unit_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.Enum('urgent', 'normal', name='queuepriority', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('queued_on', sa.Date(), nullable=False),
    sa.Column('queued_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'placed', 'withdrawn', name='entrystatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.CheckConstraint("(status = 'waiting') = (left_on IS NULL)", name=op.f('ck_queue_entries_left_has_date')),
    sa.CheckConstraint('left_on IS NULL OR left_on >= queued_on', name=op.f('ck_queue_entries_left_after_queued')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_queue_entries_decision_id_decisions')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_queue_entries_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['preferred_unit_id'], ['housing_units.id'], name=op.f('fk_queue_entries_preferred_unit_id_housing_units')),
    sa.ForeignKeyConstraint(['queue_id'], ['housing_queues.id'], name=op.f('fk_queue_entries_queue_id_housing_queues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_entries'))
    )
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_entries_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_entries_queue_id'), ['queue_id'], unique=False)
        batch_op.create_index('uq_queue_entries_waiting_enrolment', ['queue_id', 'enrolment_id'], unique=True, sqlite_where=sa.text("status = 'waiting'"), postgresql_where=sa.text("status = 'waiting'"))

    op.create_table('housing_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('offered_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('offered_by_id', sa.Integer(), nullable=False),
    sa.Column('answer_by', sa.Date(), nullable=False),
    sa.Column('skip_reason', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('open', 'accepted', 'declined', 'expired', name='offerstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('answered_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'open') = (answered_at IS NULL)", name=op.f('ck_housing_offers_answered_has_time')),
    sa.ForeignKeyConstraint(['entry_id'], ['queue_entries.id'], name=op.f('fk_housing_offers_entry_id_queue_entries')),
    sa.ForeignKeyConstraint(['offered_by_id'], ['users.id'], name=op.f('fk_housing_offers_offered_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_housing_offers_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancies.id'], name=op.f('fk_housing_offers_vacancy_id_vacancies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_housing_offers'))
    )
    with op.batch_alter_table('housing_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_housing_offers_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_housing_offers_vacancy_id'), ['vacancy_id'], unique=False)
        batch_op.create_index('uq_housing_offers_open_vacancy', ['vacancy_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))



def downgrade():
    with op.batch_alter_table('housing_offers', schema=None) as batch_op:
        batch_op.drop_index('uq_housing_offers_open_vacancy', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_housing_offers_vacancy_id'))
        batch_op.drop_index(batch_op.f('ix_housing_offers_entry_id'))

    op.drop_table('housing_offers')
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_queue_entries_waiting_enrolment', sqlite_where=sa.text("status = 'waiting'"), postgresql_where=sa.text("status = 'waiting'"))
        batch_op.drop_index(batch_op.f('ix_queue_entries_queue_id'))
        batch_op.drop_index(batch_op.f('ix_queue_entries_enrolment_id'))

    op.drop_table('queue_entries')
    with op.batch_alter_table('residencies', schema=None) as batch_op:
        batch_op.drop_index('uq_residencies_current_enrolment', sqlite_where=sa.text('ends_on IS NULL'), postgresql_where=sa.text('ends_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_residencies_unit_id'))
        batch_op.drop_index(batch_op.f('ix_residencies_enrolment_id'))

    op.drop_table('residencies')
    with op.batch_alter_table('vacancies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vacancies_unit_id'))

    op.drop_table('vacancies')
    with op.batch_alter_table('housing_unit_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_housing_unit_staff_user_id'))

    op.drop_table('housing_unit_staff')
    with op.batch_alter_table('housing_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_housing_units_service_type'))
        batch_op.drop_index(batch_op.f('ix_housing_units_municipality_code'))

    op.drop_table('housing_units')
    op.drop_table('housing_queues')
