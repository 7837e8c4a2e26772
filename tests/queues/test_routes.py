"""The queue pages through the real login: who sees what, per object, and the forms' errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.intake.models import HousingServiceType
from portal.queues import operations, queries
from portal.queues.models import Offer, OfferStatus, Residency

TODAY = queries.today()


@pytest.fixture
def two_units(create_unit, create_staff):
    """Unit A and unit B, each with its own staff login."""
    staff_a, staff_b = create_staff(Role.HOUSING_UNIT), create_staff(Role.HOUSING_UNIT)
    return (create_unit(staff=[staff_a]), staff_a), (create_unit(staff=[staff_b]), staff_b)


@pytest.fixture
def placed(db, queue, queued, two_units, coordinator):
    """A client placed in unit A through an accepted offer of a vacancy."""
    (unit_a, staff_a), _b = two_units
    entry = queued(TODAY - timedelta(days=40))
    vacancy = operations.report_vacancy(staff_a, unit_a, TODAY)
    operations.record_answer(coordinator, operations.offer_vacancy(coordinator, vacancy, entry), OfferStatus.ACCEPTED)
    db.session.commit()
    return vacancy, entry


def test_coordinator_sees_the_queue_in_order_with_municipality_waits(client, login, queue, queued, coordinator,
                                                                      raasepori):
    queued(TODAY - timedelta(days=30), where=raasepori)
    urgent = queued(TODAY - timedelta(days=3))
    operations.set_priority(coordinator, urgent, operations.QueuePriority.URGENT)
    login(coordinator)
    page = client.get("/work/queues/queue/supported").get_data(as_text=True)
    assert page.index(urgent.enrolment.client.full_name) < page.index("Raasepori")
    assert "Waiting times by municipality" in page or "Jonotusajat kunnittain" in page
    assert client.get("/work/queues/queue/no-such-service").status_code == 404


def test_viewing_the_queue_is_audited_per_client(db, client, login, queue, queued, coordinator):
    entry = queued(TODAY - timedelta(days=5))
    login(coordinator)
    assert client.get("/work/queues/queue/supported").status_code == 200
    reads = db.session.scalars(select(AuditRecord).where(AuditRecord.action == AuditAction.READ,
                                                         AuditRecord.client_id == entry.enrolment.client_id)).all()
    assert [r.actor_id for r in reads] == [coordinator.id]


def test_unit_staff_see_only_their_own_units_vacancies(db, client, login, two_units, coordinator):
    (unit_a, staff_a), (unit_b, _staff_b) = two_units
    vacancy_b = operations.report_vacancy(coordinator, unit_b, TODAY)
    login(staff_a)
    assert client.get(f"/work/queues/units/{unit_a.id}").status_code == 200
    assert client.get(f"/work/queues/units/{unit_b.id}").status_code == 403
    assert client.get(f"/work/queues/vacancies/{vacancy_b.id}").status_code == 403
    assert client.post(f"/work/queues/units/{unit_b.id}/vacancies", data={"free_from": TODAY.isoformat()}
                       ).status_code == 403
    listing = client.get("/work/queues/units").get_data(as_text=True)
    assert unit_a.name in listing and unit_b.name not in listing


def test_unit_staff_see_the_placed_client_but_no_queue_or_decision(client, login, placed, two_units):
    vacancy, entry = placed
    (_unit_a, staff_a), (_unit_b, staff_b) = two_units
    login(staff_a)
    page = client.get(f"/work/queues/vacancies/{vacancy.id}").get_data(as_text=True)
    assert entry.enrolment.client.full_name in page
    assert "skip_reason" not in page and "/offers/" not in page  # no offers, no queue
    assert client.get("/work/queues/queue/supported").status_code == 403
    assert client.get(f"/work/queues/clients/{entry.enrolment_id}").status_code == 403


def test_unit_staff_of_another_unit_cannot_end_a_residency(db, client, login, placed, two_units):
    vacancy, entry = placed
    residency = db.session.scalar(select(Residency).where(Residency.vacancy_id == vacancy.id))
    (_a, staff_a), (_b, staff_b) = two_units
    login(staff_b)
    url = f"/work/queues/residencies/{residency.id}/end"
    assert client.post(url, data={"ends_on": TODAY.isoformat()}).status_code == 403


def test_unit_staff_report_a_vacancy_and_end_a_residency(db, client, login, placed, two_units):
    vacancy, _entry = placed
    (unit_a, staff_a), _b = two_units
    residency = db.session.scalar(select(Residency).where(Residency.vacancy_id == vacancy.id))
    login(staff_a)
    response = client.post(f"/work/queues/residencies/{residency.id}/end",
                           data={"ends_on": (TODAY + timedelta(days=5)).isoformat(), "report_place": "y"})
    assert response.status_code == 302
    assert client.post(f"/work/queues/units/{unit_a.id}/vacancies", data={"free_from": ""}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Residency, residency.id).ends_on == TODAY + timedelta(days=5)


def test_offer_through_the_page_and_a_forged_entry_is_a_clear_error(db, client, login, queue, queued, two_units,
                                                                   coordinator, housing_client):
    (unit_a, staff_a), _b = two_units
    vacancy = operations.report_vacancy(staff_a, unit_a, TODAY)
    other = operations.enqueue(coordinator, housing_client(), HousingServiceType.communal,
                               queued_on=TODAY - timedelta(days=99))
    entry = queued(TODAY - timedelta(days=10))
    login(coordinator)
    due = (TODAY + timedelta(days=7)).isoformat()
    refused = client.post(f"/work/queues/vacancies/{vacancy.id}/offer", data={"entry": other.id, "answer_by": due})
    assert refused.status_code == 400
    assert "not in the queue" in refused.get_data(as_text=True) or "ei ole" in refused.get_data(as_text=True)
    assert client.post(f"/work/queues/vacancies/{vacancy.id}/offer",
                       data={"entry": entry.id, "answer_by": due}).status_code == 302
    offer = db.session.scalar(select(Offer).where(Offer.vacancy_id == vacancy.id))
    assert client.post(f"/work/queues/offers/{offer.id}/answer", data={"answer": "accepted"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status is OfferStatus.ACCEPTED


def test_a_coordinator_who_does_not_keep_the_queue_cannot_offer(client, login, queue, queued, two_units, create_staff):
    (unit_a, staff_a), _b = two_units
    vacancy = operations.report_vacancy(staff_a, unit_a, TODAY)
    entry = queued(TODAY - timedelta(days=10))
    login(create_staff(Role.QUEUE_COORDINATOR))
    response = client.post(f"/work/queues/vacancies/{vacancy.id}/offer",
                           data={"entry": entry.id, "answer_by": (TODAY + timedelta(days=7)).isoformat()})
    assert response.status_code == 403


def test_case_workers_see_the_status_of_their_own_clients_only(client, login, queue, queued, create_staff, db):
    entry = queued(TODAY - timedelta(days=10))
    own_worker, other_worker = create_staff(Role.WORKER), create_staff(Role.WORKER, in_unit=None)
    entry.enrolment.coordinator_id = own_worker.id
    login(other_worker)
    assert client.get(f"/work/queues/clients/{entry.enrolment_id}").status_code == 403
    client.post("/logout")
    login(own_worker)
    page = client.get(f"/work/queues/clients/{entry.enrolment_id}")
    assert page.status_code == 200 and entry.enrolment.client.full_name in page.get_data(as_text=True)
