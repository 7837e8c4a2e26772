"""Seeds: the service-unit manager role, SAP attendance and changed-need items, the structured assessment, PPT's preliminary estimate, the client's network

Revision ID: f18c0de00006
Revises: e19c0de00005
Create Date: 2026-12-06 11:45:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'f18c0de00006'
down_revision = 'e19c0de00005'
branch_labels = None
depends_on = None

ROLES = ('worker', 'care_coordinator', 'team_lead', 'queue_coordinator', 'housing_unit', 'referrer', 'admin')


def _roles(values):
    quoted = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_roles_role'), type_='check')
        batch_op.create_check_constraint('role', f"role IN ({quoted})")


def upgrade():
    _roles((*ROLES[:3], 'service_manager', *ROLES[3:]))
    with op.batch_alter_table('decision_meeting_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Enum(
            'new_application', 'changed_need', name='agendareason', native_enum=False, create_constraint=True,
            length=24), server_default='new_application', nullable=False))
    op.create_table(
        'decision_meeting_attendees',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('capacity', sa.Enum('chair', 'lead_social_worker', 'client_worker', 'member',
                                      name='meetingcapacity', native_enum=False, create_constraint=True,
                                      length=24), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['decision_meetings.id'],
                                name=op.f('fk_decision_meeting_attendees_meeting_id_decision_meetings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_decision_meeting_attendees_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_decision_meeting_attendees_user_id_users')),
        sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_decision_meeting_attendees')),
    )
    op.create_index(op.f('ix_decision_meeting_attendees_user_id'), 'decision_meeting_attendees', ['user_id'])
    op.add_column('assessments', sa.Column('client_summary', sa.Text(), nullable=True))
    op.create_table(
        'assessment_areas',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=40), nullable=False),
        sa.Column('worker_view', sa.Text(), nullable=True),
        sa.Column('client_view', sa.Text(), nullable=True),
        sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'],
                                name=op.f('fk_assessment_areas_assessment_id_assessments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_areas')),
        sa.UniqueConstraint('assessment_id', 'area_code', name=op.f('uq_assessment_areas_assessment_id_area_code')),
    )
    op.create_index(op.f('ix_assessment_areas_assessment_id'), 'assessment_areas', ['assessment_id'])
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimate_months', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('estimate_contacts_per_month', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('estimate_services', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('estimated_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('estimated_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_plans_estimated_by_id_users'), 'users', ['estimated_by_id'], ['id'])
        batch_op.create_check_constraint(
            'estimate_months_range', 'estimate_months IS NULL OR estimate_months BETWEEN 1 AND 60')
        batch_op.create_check_constraint(
            'estimate_contacts_range',
            'estimate_contacts_per_month IS NULL OR estimate_contacts_per_month BETWEEN 1 AND 60')
        batch_op.create_check_constraint('estimate_dated', '(estimated_on IS NULL) = (estimate_months IS NULL)')
    op.create_table(
        'network_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('client_coordinator', 'social_welfare_worker', 'doctor', 'pharmacy', 'other',
                                  name='networkrole', native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('title', sa.String(length=120), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('consent_to_contact', sa.Boolean(), nullable=False),
        sa.Column('shown_to_client', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_network_contacts_client_id_clients')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_network_contacts_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_contacts')),
    )
    op.create_index(op.f('ix_network_contacts_client_id'), 'network_contacts', ['client_id'])


def downgrade():
    op.drop_index(op.f('ix_network_contacts_client_id'), table_name='network_contacts')
    op.drop_table('network_contacts')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_plans_estimate_dated'), type_='check')
        batch_op.drop_constraint(op.f('ck_plans_estimate_contacts_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_plans_estimate_months_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_plans_estimated_by_id_users'), type_='foreignkey')
        for column in ('estimated_by_id', 'estimated_on', 'estimate_services', 'estimate_contacts_per_month',
                       'estimate_months'):
            batch_op.drop_column(column)
    op.drop_index(op.f('ix_assessment_areas_assessment_id'), table_name='assessment_areas')
    op.drop_table('assessment_areas')
    op.drop_column('assessments', 'client_summary')
    op.drop_index(op.f('ix_decision_meeting_attendees_user_id'), table_name='decision_meeting_attendees')
    op.drop_table('decision_meeting_attendees')
    with op.batch_alter_table('decision_meeting_items', schema=None) as batch_op:
        batch_op.drop_column('reason')
    op.execute("DELETE FROM user_roles WHERE role = 'service_manager'")
    _roles(ROLES)
