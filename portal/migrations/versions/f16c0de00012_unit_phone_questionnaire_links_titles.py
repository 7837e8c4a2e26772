"""Client at home (issue 16, settings): unit phone and reply promise, questionnaire links, drafts, titles

Units get a phone with weekday hours and "messages are read within N working days"; questionnaire links
(one occurrence, answerable without signing in, once, until they expire); server-side drafts of short
forms (portal/drafts); and the free-text staff titles
and own-team roles of older rows are mapped onto the structured vocabulary where their words match one
(the free text stays as a fallback for the rows that match nothing).

Revision ID: f16c0de00012
Revises: e16c0de00011
Create Date: 2026-12-06 11:45:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'f16c0de00012'
down_revision = 'e16c0de00011'
branch_labels = None
depends_on = None

# Finnish titles (the part before a comma, lower case) → JobTitle values (portal/auth/models.py).
JOB_TITLES = {
    'sosiaalityöntekijä': 'social_worker', 'johtava sosiaalityöntekijä': 'leading_social_worker',
    'sosiaaliohjaaja': 'social_counsellor', 'terveyssosiaalityöntekijä': 'health_social_worker',
    'psykiatrinen sairaanhoitaja': 'psychiatric_nurse', 'sairaanhoitaja': 'nurse', 'lähihoitaja': 'practical_nurse',
    'psykologi': 'psychologist', 'toimintaterapeutti': 'occupational_therapist', 'kokemusasiantuntija': 'peer_worker',
    'palveluyksikköpäällikkö': 'service_manager', 'palveluesihenkilö': 'service_manager',
    'jonokoordinaattori': 'queue_coordinator', 'vastaava ohjaaja': 'housing_supervisor',
    'pääkäyttäjä': 'system_administrator', 'palvelun omistaja': 'system_administrator',
}
# Finnish own-team role words → the role codes of the programme definitions (portal/programmes/definitions),
# applied only where the enrolment's programme defines that code.
TEAM_ROLES = {
    'sosiaaliohjaaja': 'social-counsellor', 'sosiaalityöntekijä': 'social-worker', 'ohjaaja': 'instructor',
    'kotihoidon työntekijä': 'home-care-worker', 'sairaanhoitaja': 'nurse', 'asiakasohjaaja': 'client-guidance-worker',
    'asumisohjaaja': 'housing-counsellor', 'psykiatrinen sairaanhoitaja': 'psychiatric-nurse',
    'kokemusasiantuntija': 'peer-worker', 'toimintaterapeutti': 'occupational-therapist', 'lääkäri': 'doctor',
    'psykologi': 'psychologist',
}
PROGRAMME_ROLES = {
    'remote-guidance': {'social-counsellor', 'social-worker', 'instructor', 'home-care-worker', 'nurse'},
    'housing-guidance': {'client-guidance-worker', 'social-worker', 'housing-counsellor', 'nurse'},
    'intensive-rehabilitation': {'instructor', 'social-counsellor', 'social-worker', 'psychiatric-nurse', 'peer-worker',
                                 'occupational-therapist'},
    'many-services': {'social-worker', 'social-counsellor', 'psychiatric-nurse', 'nurse', 'doctor', 'psychologist',
                      'peer-worker'},
    'health-social-work': {'social-worker', 'nurse', 'doctor'},
}


def _head(text: str | None) -> str:
    return (text or '').split(',')[0].strip().lower()


def upgrade():
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('phone_opens', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('phone_closes', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('reply_days', sa.Integer(), nullable=False, server_default=sa.text('2')))
    op.create_table(
        'questionnaire_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('instrument_code', sa.String(length=40), nullable=False),
        sa.Column('occurrence_key', sa.String(length=40), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', portal.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('reminder_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_questionnaire_links_created_by_id_users')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], ondelete='CASCADE',
                                name=op.f('fk_questionnaire_links_enrolment_id_enrolments')),
        sa.ForeignKeyConstraint(['reminder_id'], ['outbox_messages.id'], ondelete='SET NULL',
                                name=op.f('fk_questionnaire_links_reminder_id_outbox_messages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_questionnaire_links_token_hash')),
    )
    op.create_index('ix_questionnaire_links_occurrence', 'questionnaire_links',
                    ['enrolment_id', 'instrument_code', 'occurrence_key'])
    op.create_table(
        'form_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('form_key', sa.String(length=80), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_form_drafts_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_form_drafts')),
        sa.UniqueConstraint('user_id', 'form_key', name=op.f('uq_form_drafts_user_id_form_key')),
    )
    op.create_index(op.f('ix_form_drafts_user_id'), 'form_drafts', ['user_id'])
    _map_free_text()


def _map_free_text() -> None:
    """Older rows: a free-text title or team role whose words name a structured one gets the structured one."""
    bind = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('title', sa.String),
                     sa.column('job_title', sa.String))
    for row in bind.execute(sa.select(users.c.id, users.c.title).where(users.c.job_title.is_(None),
                                                                      users.c.title.is_not(None))):
        code = JOB_TITLES.get(_head(row.title))
        if code:
            bind.execute(users.update().where(users.c.id == row.id).values(job_title=code))
    members = sa.table('enrolment_team_members', sa.column('enrolment_id', sa.Integer),
                       sa.column('user_id', sa.Integer), sa.column('team_role', sa.String))
    enrolments = sa.table('enrolments', sa.column('id', sa.Integer), sa.column('programme_code', sa.String))
    rows = bind.execute(sa.select(members.c.enrolment_id, members.c.user_id, members.c.team_role,
                                  enrolments.c.programme_code)
                        .join(enrolments, enrolments.c.id == members.c.enrolment_id))
    for row in rows.all():
        code = TEAM_ROLES.get(_head(row.team_role))
        if code and code != row.team_role and code in PROGRAMME_ROLES.get(row.programme_code, ()):
            bind.execute(members.update().where(members.c.enrolment_id == row.enrolment_id,
                                                members.c.user_id == row.user_id).values(team_role=code))


def downgrade():
    # The mapped titles and roles stay mapped: the structured value is what the free text said.
    op.drop_index(op.f('ix_form_drafts_user_id'), table_name='form_drafts')
    op.drop_table('form_drafts')
    op.drop_index('ix_questionnaire_links_occurrence', table_name='questionnaire_links')
    op.drop_table('questionnaire_links')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_column('reply_days')
        batch_op.drop_column('phone_closes')
        batch_op.drop_column('phone_opens')
        batch_op.drop_column('phone')
