"""Appointments and clients keep when they last changed and a version number (FHIR meta, ETags, iCalendar)

FHIR's ``meta.versionId``/``meta.lastUpdated`` and the ETag (``W/"<version>"``) of an Appointment or a
Patient, and an iCalendar event's LAST-MODIFIED/DTSTAMP, come from these columns. Existing rows start at
version 1, changed when they were created (or cancelled, for a cancelled appointment).

Revision ID: d20c0de00010
Revises: c20c0de00009
Create Date: 2026-12-06 11:45:00

"""
import sqlalchemy as sa
from alembic import op

import portal.db

# revision identifiers, used by Alembic.
revision = 'd20c0de00010'
down_revision = 'c20c0de00009'
branch_labels = None
depends_on = None

LAST_CHANGE = {"appointments": "COALESCE(cancelled_at, created_at)", "clients": "created_at"}


def upgrade():
    for table, last_change in LAST_CHANGE.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text("1")))
        op.execute(f"UPDATE {table} SET updated_at = {last_change}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('updated_at', existing_type=portal.db.UTCDateTime(timezone=True), nullable=False)


def downgrade():
    for table in LAST_CHANGE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
            batch_op.drop_column('updated_at')
