"""The vacancy page names the clients next in the queue: each of them is in the audit trail (issue 19)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditRecordClient
from portal.queues import operations, queries


def test_the_queued_clients_a_vacancy_page_offers_are_audited(db, client, login, queue, queued, create_unit,
                                                              coordinator):
    entries = [queued(queries.today() - timedelta(days=d)) for d in (40, 20)]
    vacancy = operations.report_vacancy(coordinator, create_unit(), queries.today())
    login(coordinator)
    page = client.get(f"/work/queues/vacancies/{vacancy.id}").get_data(as_text=True)
    named = {e.enrolment.client_id for e in entries if e.enrolment.client.last_name in page}
    assert named, "the page offers the queued clients"
    assert set(db.session.scalars(select(AuditRecordClient.client_id))) >= named
