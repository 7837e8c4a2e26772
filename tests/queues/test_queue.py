"""Queue order, the decision signal, waiting times by municipality, offers and their answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.db import utcnow
from portal.intake.models import Decision, DecisionOutcome, HousingServiceType
from portal.notifications.models import OutboxMessage
from portal.queues import operations, queries
from portal.queues.models import EntryStatus, OfferStatus, QueuePriority, Residency, VacancyStatus
from portal.scheduling.models import Absence
from portal.signals import decision_signed
from tests.queues.conftest import at

TODAY = queries.today()


@pytest.fixture(autouse=True)
def _english(app):
    """The refusals are matched by their English text (the catalogs give them in Finnish by default)."""
    with force_locale("en"):
        yield


def test_urgent_first_then_date_then_moment_then_id(queue, queued):
    old = queued(date(2026, 1, 10))
    urgent_new = queued(date(2026, 3, 1), priority=QueuePriority.URGENT)
    same_day_later = queued(date(2026, 2, 1), at=at(12))
    same_day_earlier = queued(date(2026, 2, 1), at=at(9))
    tie_a, tie_b = queued(date(2026, 2, 5), at=at(10)), queued(date(2026, 2, 5), at=at(10))
    order = [row.entry.id for row in queries.queue_rows(queue)]
    assert order == [urgent_new.id, old.id, same_day_earlier.id, same_day_later.id, tie_a.id, tie_b.id]


def test_waiting_days_and_municipality_waits_are_counted_in_sql(queue, queued, raasepori, municipality):
    queued(TODAY - timedelta(days=100), where=raasepori)
    queued(TODAY - timedelta(days=40), where=raasepori)
    queued(TODAY - timedelta(days=10))
    rows = queries.queue_rows(queue)
    assert sorted(r.waiting_days for r in rows) == [10, 40, 100]
    waits = {w.code: w for w in queries.waits_by_municipality(queue)}
    assert (waits["710"].waiting, waits["710"].mean_waiting_days, waits["710"].longest_waiting_days) == (2, 70.0, 100)
    assert (waits[municipality.code].waiting, waits[municipality.code].mean_waiting_days) == (1, 10.0)


def test_a_signed_granted_decision_queues_the_client(db, app, create_staff, housing_client):
    worker, signer = create_staff(Role.WORKER), create_staff(Role.TEAM_LEAD)
    enrolment = housing_client()
    decision = Decision(enrolment_id=enrolment.id, outcome=DecisionOutcome.granted,
                        service_type=HousingServiceType.communal, language="fi", body="Myönnetään.",
                        drafted_by_id=worker.id, signed_at=utcnow(), signed_by_id=signer.id)
    db.session.add(decision)
    db.session.flush()
    decision_signed.send(signer, decision=decision)
    status = queries.client_queue_status(enrolment.id)
    assert status["service_type"] == HousingServiceType.communal and status["offer"] is None
    assert enrolment.phase == "queue"
    rejected = Decision(enrolment_id=housing_client().id, outcome=DecisionOutcome.rejected, language="fi",
                        body="Ei.", drafted_by_id=worker.id, signed_at=utcnow(), signed_by_id=signer.id)
    db.session.add(rejected)
    db.session.flush()
    decision_signed.send(signer, decision=rejected)
    assert queries.client_queue_status(rejected.enrolment_id) is None


def test_offer_goes_to_the_next_suitable_and_acceptance_places(db, queue, queued, create_unit, coordinator):
    unit = create_unit()
    first, second = queued(TODAY - timedelta(days=50)), queued(TODAY - timedelta(days=20))
    vacancy = operations.report_vacancy(coordinator, unit, TODAY - timedelta(days=3))
    assert queries.next_suitable(vacancy).id == first.id
    offer = operations.offer_vacancy(coordinator, vacancy, first)
    assert queries.next_suitable(vacancy).id == second.id  # first has an open offer
    with pytest.raises(operations.QueueError):
        operations.offer_vacancy(coordinator, vacancy, second, skip_reason="kiire")  # one open offer per vacancy
    operations.record_answer(coordinator, offer, OfferStatus.ACCEPTED)
    assert (vacancy.status, vacancy.days_to_fill) == (VacancyStatus.FILLED, 3)
    assert first.status is EntryStatus.PLACED and first.enrolment.phase == "placed"
    residency = db.session.scalar(select(Residency).where(Residency.enrolment_id == first.enrolment_id))
    assert residency.unit_id == unit.id
    assert queries.client_queue_status(first.enrolment_id)["placed"]["unit"] == unit.name


def test_declined_goes_to_the_next_and_the_decliner_is_not_offered_again(queue, queued, create_unit, coordinator):
    vacancy = operations.report_vacancy(coordinator, create_unit(), TODAY)
    first, second = queued(TODAY - timedelta(days=50)), queued(TODAY - timedelta(days=20))
    operations.record_answer(coordinator, operations.offer_vacancy(coordinator, vacancy, first), OfferStatus.DECLINED)
    assert queries.next_suitable(vacancy).id == second.id
    with pytest.raises(operations.QueueError, match="already answered"):
        operations.offer_vacancy(coordinator, vacancy, first)
    assert first.status is EntryStatus.WAITING  # declining one place keeps the client in the queue


def test_offering_to_a_client_not_in_that_queue_is_a_clear_error(db, queue, queued, create_unit, coordinator,
                                                                  housing_client):
    communal_unit = create_unit(HousingServiceType.communal)
    vacancy = operations.report_vacancy(coordinator, communal_unit, TODAY)
    supported_entry = queued(TODAY - timedelta(days=5))
    with pytest.raises(operations.QueueError, match="not in the queue"):
        operations.offer_vacancy(coordinator, vacancy, supported_entry)
    other_unit = create_unit()
    preferring = queued(TODAY - timedelta(days=90), preferred_unit=other_unit)
    own_vacancy = operations.report_vacancy(coordinator, create_unit(), TODAY)
    with pytest.raises(operations.QueueError, match="not in the queue"):
        operations.offer_vacancy(coordinator, own_vacancy, preferring)


def test_passing_over_the_next_needs_a_reason(queue, queued, create_unit, coordinator):
    vacancy = operations.report_vacancy(coordinator, create_unit(), TODAY)
    queued(TODAY - timedelta(days=50))
    later = queued(TODAY - timedelta(days=20))
    with pytest.raises(operations.QueueError, match="not the next"):
        operations.offer_vacancy(coordinator, vacancy, later)
    offer = operations.offer_vacancy(coordinator, vacancy, later, skip_reason="Esteetön asunto tarpeen")
    assert offer.skip_reason == "Esteetön asunto tarpeen"


def test_the_deputy_acts_only_while_the_coordinator_is_away(db, queue, queued, create_unit, coordinator, deputy,
                                                            create_staff):
    vacancy = operations.report_vacancy(coordinator, create_unit(), TODAY)
    entry = queued(TODAY - timedelta(days=5))
    with pytest.raises(PermissionError):
        operations.offer_vacancy(deputy, vacancy, entry)
    db.session.add(Absence(user_id=coordinator.id, starts_at=utcnow() - timedelta(hours=1),
                           ends_at=utcnow() + timedelta(days=3), reason="loma"))
    db.session.flush()
    assert operations.offer_vacancy(deputy, vacancy, entry).offered_by_id == deputy.id
    with pytest.raises(PermissionError):
        operations.set_priority(create_staff(Role.QUEUE_COORDINATOR), entry, QueuePriority.URGENT)


def test_offer_notice_says_nothing_but_that_there_is_a_notice(db, queue, queued, create_unit, coordinator):
    vacancy = operations.report_vacancy(coordinator, create_unit(), TODAY)
    entry = queued(TODAY - timedelta(days=5))
    operations.offer_vacancy(coordinator, vacancy, entry)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.client_id == entry.enrolment.client_id))
    assert message is not None and message.recipient == "+358401234567"
    assert "Silta" in message.body and vacancy.unit.name not in message.body


def test_a_unit_cannot_report_more_vacancies_than_places(queue, create_unit, coordinator):
    unit = create_unit(places=1)
    operations.report_vacancy(coordinator, unit, TODAY)
    with pytest.raises(operations.QueueError):
        operations.report_vacancy(coordinator, unit, TODAY)


def test_ending_a_residency_can_report_the_place(db, queue, queued, create_unit, coordinator, create_staff):
    unit_user = create_staff(Role.HOUSING_UNIT)
    unit = create_unit(places=2, staff=[unit_user])
    entry = queued(TODAY - timedelta(days=30))
    offer = operations.offer_vacancy(coordinator, operations.report_vacancy(unit_user, unit, TODAY), entry)
    operations.record_answer(coordinator, offer, OfferStatus.ACCEPTED)
    residency = db.session.scalar(select(Residency).where(Residency.enrolment_id == entry.enrolment_id))
    vacancy = operations.end_residency(unit_user, residency, TODAY + timedelta(days=10), report_place=True)
    assert vacancy.free_from == TODAY + timedelta(days=11) and residency.ends_on == TODAY + timedelta(days=10)
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "residency",
                                                       AuditRecord.object_id == str(residency.id)).limit(1))


def test_client_status_reads_as_dict_and_attributes_without_a_position(queue, queued, create_unit, coordinator):
    entry = queued(TODAY - timedelta(days=12))
    status = queries.client_queue_status(entry.enrolment_id)
    assert status["offered"] is False and status.offered is False and "position" not in status
    assert status.in_queue_since == TODAY - timedelta(days=12) and status.label
    operations.offer_vacancy(coordinator, operations.report_vacancy(coordinator, create_unit(), TODAY), entry)
    status = queries.client_queue_status(entry.enrolment_id)
    assert status.offered and status.offer["unit"] in status.label
