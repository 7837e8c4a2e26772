"""Report indexes

Revision ID: e4c5d6e7f8a9
Revises: c2a3b4c5d6e7
Create Date: 2026-11-22 19:50:00

The reports read held contacts in a period (on PostgreSQL an index-only range scan: the columns the
figures count are included), one instrument's answers in a period, and each enrolment's phase moves in
time order. Measured with bench/reports.py on the county-scale data set.
"""
import sqlalchemy as sa
from alembic import op

import portal.db  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'e4c5d6e7f8a9'
down_revision = 'c2a3b4c5d6e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        op.f('ix_contacts_held_starts'), 'contacts', ['starts_at'], unique=False,
        postgresql_include=['id', 'enrolment_id', 'modality', 'duration_minutes', 'worked_remotely'],
        sqlite_where=sa.text("status = 'held'"), postgresql_where=sa.text("status = 'held'"),
    )
    op.create_index(op.f('ix_measure_answers_instrument_answered'), 'measure_answers',
                    ['instrument_code', 'answered_on'], unique=False)
    op.create_index(op.f('ix_phase_transitions_enrolment_at'), 'phase_transitions', ['enrolment_id', 'at'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_phase_transitions_enrolment_at'), table_name='phase_transitions')
    op.drop_index(op.f('ix_measure_answers_instrument_answered'), table_name='measure_answers')
    op.drop_index(op.f('ix_contacts_held_starts'), table_name='contacts')
