"""A decision meeting's page names the clients a worker could book onto it: they are in the audit trail (issue 19)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select

from portal.audit.models import AuditRecord, AuditRecordClient
from portal.intake import operations


def test_the_clients_a_meeting_page_names_are_audited(db, login, client, team, unit, registered):
    meeting = operations.schedule_meetings(team["chair"], unit, date.today() + timedelta(days=1), 1,
                                           {"INTAKE_SAP_MINUTES": 10})[0]
    db.session.commit()
    login(team["worker"])
    before = db.session.scalar(select(func.max(AuditRecord.id)))
    page = client.get(f"/intake/meetings/{meeting.id}").get_data(as_text=True)
    assert registered.client.last_name in page  # offered for booking onto the agenda
    shown = select(AuditRecordClient.record_id).where(AuditRecordClient.client_id == registered.client_id)
    assert db.session.scalar(select(AuditRecord.id).where(
        AuditRecord.id > before, AuditRecord.actor_id == team["worker"].id,
        or_(AuditRecord.client_id == registered.client_id, AuditRecord.id.in_(shown))))
