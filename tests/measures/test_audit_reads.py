"""The paper-entry page names the client: the trail says who opened it (issue 19)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from portal.audit.models import AuditRecord, AuditRecordClient
from tests.measures.test_worker import held_meeting


def test_opening_the_entry_page_is_audited(db, client, login, enrolment, worker, client_row):
    meeting = held_meeting(db, enrolment, worker, client_row, 3)
    db.session.commit()
    login(worker)
    before = db.session.scalar(select(func.max(AuditRecord.id))) or 0
    page = client.get(f"/measures/enrolments/{enrolment.id}/ors/appt-{meeting.id}/enter").get_data(as_text=True)
    assert client_row.last_name in page
    shown = select(AuditRecordClient.record_id).where(AuditRecordClient.client_id == client_row.id)
    assert db.session.scalar(select(AuditRecord.id).where(
        AuditRecord.id > before, AuditRecord.actor_id == worker.id,
        or_(AuditRecord.client_id == client_row.id, AuditRecord.id.in_(shown))))
