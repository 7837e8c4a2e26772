"""Sending, accepting, answering and logging contacts, through the operations (no HTTP)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.meetings.models import Contact, ContactOutcome, ContactStatus
from portal.meetings.operations import ContactRecord, record_meeting
from portal.people.models import Client
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import EnrolmentStatus
from portal.referrals import operations, queries
from portal.referrals.models import ConsentBy, ConsentHow, Referral, ReferralKind, ReferralStatus, Urgency
from portal.referrals.operations import Consent, LoggedContact, ReferralError
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.timeutil import local
from tests.referrals.conftest import TODAY

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_a_referral_lands_in_the_inbox_with_its_statistics(db, referrer, worker, draft):
    referral = operations.send(referrer, draft(), TODAY)
    assert referral.status is ReferralStatus.OPEN and referral.pensioner is True
    assert referral.social_welfare_client is False and referral.person_key == "pesonen|eino|1950"
    assert queries.inbox(worker) == [referral]
    created = db.session.scalar(select(AuditRecord).where(AuditRecord.feature == "referrals"))
    assert created.action is AuditAction.CREATE and created.object_type == "referral"


@pytest.mark.parametrize("missing", ["by", "on", "how"])
def test_a_referral_without_consent_is_refused_on_the_missing_part(db, referrer, draft, missing):
    consent = Consent(ConsentBy.CLIENT, date(2026, 11, 19), ConsentHow.WRITTEN)
    with pytest.raises(ReferralError) as refused:
        operations.send(referrer, draft(consent=replace(consent, **{missing: None})), TODAY)
    assert refused.value.field == f"consent_{missing}"
    assert "consent" in str(refused.value) and "who consented, when and how" in str(refused.value)
    assert db.session.scalar(select(Referral)) is None


def test_consent_cannot_be_dated_in_the_future(referrer, draft):
    with pytest.raises(ReferralError, match="future"):
        operations.send(referrer, draft(consent=Consent(ConsentBy.CLIENT, TODAY + timedelta(days=1),
                                                        ConsentHow.VERBAL)), TODAY)


def test_the_database_refuses_a_referral_without_consent_too(db, referrer, unit):
    db.session.add(Referral(kind=ReferralKind.REFERRAL, unit_id=unit.id, referrer_id=referrer.id,
                            urgency=Urgency.NORMAL, situation="x", first_name="A", last_name="B", birth_year=1950))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_second_open_referral_of_the_same_person_is_a_duplicate(referrer, create_staff, draft, person):
    operations.send(referrer, draft(), TODAY)
    other = create_staff(Role.REFERRER)
    with pytest.raises(ReferralError, match="already has an open referral"):
        operations.send(other, draft(person=person(first=" EINO ", last="pesonen")), TODAY)
    # Another person, or the same name born another year, is not a duplicate.
    operations.send(other, draft(person=person(year=1951)), TODAY)


def test_a_person_already_in_health_social_work_is_not_referred_again(referrer, worker, draft):
    referral = operations.send(referrer, draft(), TODAY)
    operations.accept(worker, referral, None, TODAY)
    with pytest.raises(ReferralError, match="already a client of health social work"):
        operations.send(referrer, draft(), TODAY)


def test_a_referrer_sends_only_to_their_own_unit(referrer, draft, create_staff):
    with pytest.raises(ReferralError, match="unit"):
        operations.send(referrer, draft(unit_id=999999), TODAY)
    with pytest.raises(PermissionError):
        operations.send(create_staff(Role.WORKER), draft(), TODAY)


def test_adults_only(referrer, draft, person):
    with pytest.raises(ReferralError, match="at least 18"):
        operations.send(referrer, draft(person=person(year=2010)), TODAY)


def test_a_consultation_may_be_anonymous(db, referrer, draft):
    consultation = operations.send(referrer, draft(kind=ReferralKind.CONSULTATION), TODAY)
    assert not consultation.names_person and consultation.consent_by is None


def test_the_inbox_shows_the_most_urgent_then_the_oldest(db, referrer, worker, draft, person):
    sent = {}
    for name, urgency, minutes in [("normal-old", Urgency.NORMAL, 0), ("week", Urgency.THIS_WEEK, 1),
                                   ("today-new", Urgency.TODAY, 3), ("today-old", Urgency.TODAY, 2),
                                   ("normal-new", Urgency.NORMAL, 4)]:
        referral = operations.send(referrer, draft(urgency=urgency, person=person(first=name)), TODAY)
        referral.created_at = NOW + timedelta(minutes=minutes)
        sent[name] = referral
    db.session.flush()
    assert [r.first_name for r in queries.inbox(worker)] == [
        "today-old", "today-new", "week", "normal-old", "normal-new"]


def test_the_inbox_is_the_unit_s(referrer, draft, create_staff):
    operations.send(referrer, draft(), TODAY)
    elsewhere = create_staff(Role.WORKER, in_unit=None)
    assert queries.inbox(elsewhere) == []


def test_accepting_creates_the_client_with_the_statistics_and_enrols_them(db, referrer, worker, draft):
    referral = operations.send(referrer, draft(), TODAY)
    enrolment = operations.accept(worker, referral, None, TODAY)
    client = enrolment.client
    assert (client.first_name, client.birth_year, client.pensioner, client.social_welfare_client) == (
        "Eino", 1950, True, False)
    assert enrolment.programme_code == "health-social-work" and enrolment.phase == "referred"
    assert enrolment.coordinator_id == worker.id and enrolment.status is EnrolmentStatus.ACTIVE
    assert referral.status is ReferralStatus.ACCEPTED and referral.handled_by_id == worker.id
    assert queries.inbox(worker) == []
    with pytest.raises(ReferralError, match="already been handled"):
        operations.accept(worker, referral, None, TODAY)


def test_accepting_finds_an_existing_client(db, referrer, worker, draft, person, create_client):
    existing = create_client(birth_year=1950)
    referral = operations.send(referrer, draft(person=person(first=existing.first_name,
                                                             last=existing.last_name.upper())), TODAY)
    assert queries.candidates(referral) == [existing]
    enrolment = operations.accept(worker, referral, existing, TODAY)
    assert enrolment.client_id == existing.id and db.session.scalar(select(Client).where(
        Client.id != existing.id)) is None


def test_only_a_candidate_can_be_chosen(referrer, worker, draft, create_client):
    referral = operations.send(referrer, draft(), TODAY)
    with pytest.raises(ReferralError, match="Choose the client"):
        operations.accept(worker, referral, create_client(), TODAY)


def test_a_worker_of_another_unit_cannot_accept(referrer, draft, create_staff):
    referral = operations.send(referrer, draft(), TODAY)
    with pytest.raises(PermissionError):
        operations.accept(create_staff(Role.WORKER, in_unit=None), referral, None, TODAY)


def test_answering_a_consultation(referrer, worker, draft):
    consultation = operations.send(referrer, draft(kind=ReferralKind.CONSULTATION), TODAY)
    with pytest.raises(ReferralError, match="Write the answer"):
        operations.answer(worker, consultation, "   ")
    with pytest.raises(ReferralError, match="Only a referral can be accepted"):
        operations.accept(worker, consultation, None, TODAY)
    operations.answer(worker, consultation, "Ohjatkaa Kelan etuusneuvontaan.")
    assert consultation.status is ReferralStatus.ANSWERED and queries.sent_by(referrer)[0].answer


@pytest.fixture
def enrolment(referrer, worker, draft):
    return operations.accept(worker, operations.send(referrer, draft(), TODAY), None, TODAY)


def contact(**changes) -> LoggedContact:
    values = dict(contact_type="written-contact", modality=Modality.EMAIL, starts_at=NOW - timedelta(hours=2),
                  minutes=10, outcome=ContactOutcome.SERVED)
    values.update(changes)
    return LoggedContact(**values)


def test_logging_a_contact_keeps_channel_and_outcome_and_starts_the_work(db, worker, enrolment):
    row = operations.log_contact(worker, enrolment, contact(), NOW)
    assert (row.modality, row.outcome, row.appointment_id, row.duration_minutes) == (
        Modality.EMAIL, ContactOutcome.SERVED, None, 10)
    assert enrolment.phase == "working"
    operations.log_contact(worker, enrolment, contact(modality=Modality.TEXT_MESSAGE), NOW)
    assert enrolment.phase == "working"


@pytest.mark.parametrize(("changes", "field"), [
    ({"outcome": None}, "outcome"),
    ({"modality": Modality.PHONE}, "modality"),  # a phone call is not a written contact
    ({"contact_type": "nope"}, "contact_type"),
    ({"starts_at": NOW + timedelta(hours=1)}, "start"),
    ({"starts_at": NOW - timedelta(days=400)}, "day"),
])
def test_bad_contacts_are_refused(db, worker, enrolment, changes, field):
    with pytest.raises(ReferralError) as refused:
        operations.log_contact(worker, enrolment, contact(**changes), NOW)
    assert refused.value.field == field
    assert db.session.scalar(select(Contact)) is None


def test_contacts_are_logged_here_only_for_programmes_that_count_outcomes(worker, create_client,
                                                                        create_enrolment):
    other = create_enrolment(create_client(), coordinator=worker)
    with pytest.raises(ReferralError, match="only for health social work"):
        operations.log_contact(worker, other, contact(), NOW)


def test_a_booked_meeting_of_health_social_work_needs_an_outcome(db, worker, enrolment):
    appointment, _ = book(worker, BookingRequest(enrolment=enrolment, contact_type="phone-call",
                                                 modality=Modality.PHONE, starts_at=local(date(2026, 11, 18), time(9)),
                                                 minutes=20), now=datetime(2026, 11, 17, tzinfo=UTC))
    entry = ContactRecord(ContactStatus.HELD, Modality.PHONE, appointment.starts_at, appointment.ends_at)
    from portal.meetings.operations import RecordError

    with pytest.raises(RecordError, match="how the contact ended"):
        record_meeting(worker, appointment, entry, now=NOW)
    row = record_meeting(worker, appointment, replace(entry, outcome=ContactOutcome.FOLLOW_UP), now=NOW)
    assert row.outcome is ContactOutcome.FOLLOW_UP


def test_other_programmes_store_no_outcome(db, worker, create_client, create_enrolment):
    other = create_enrolment(create_client(), coordinator=worker)
    appointment, _ = book(worker, BookingRequest(enrolment=other, contact_type="guidance-meeting",
                                                 modality=Modality.HOME_VISIT,
                                                 starts_at=local(date(2026, 11, 18), time(9)), minutes=60),
                          now=datetime(2026, 11, 17, tzinfo=UTC))
    row = record_meeting(worker, appointment, ContactRecord(
        ContactStatus.HELD, Modality.HOME_VISIT, appointment.starts_at, appointment.ends_at,
        outcome=ContactOutcome.SERVED), now=NOW)
    assert row.outcome is None


def test_the_figures_seed_004_reports(db, referrer, worker, draft, person, unit):
    """Two clients: one served in a single email, one with a follow-up; one consultation."""
    first = operations.accept(worker, operations.send(referrer, draft(), TODAY), None, TODAY)
    second = operations.accept(worker, operations.send(referrer, draft(person=person(
        first="Aili", year=1990, pensioner=False, social_welfare_client=True)), TODAY), None, TODAY)
    operations.send(referrer, draft(kind=ReferralKind.CONSULTATION), TODAY)
    operations.log_contact(worker, first, contact(), NOW)
    operations.log_contact(worker, second, contact(modality=Modality.PHONE, contact_type="phone-call",
                                                   outcome=ContactOutcome.FOLLOW_UP), NOW)
    operations.log_contact(worker, second, contact(modality=Modality.PHONE, contact_type="phone-call",
                                                   starts_at=NOW - timedelta(hours=1)), NOW)
    for row in db.session.scalars(select(Referral)):
        row.created_at = NOW - timedelta(days=1)
    db.session.flush()
    figures = queries.figures([unit.id], datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert (figures.referrals, figures.consultations, figures.clients) == (2, 1, 2)
    assert figures.contacts_by_channel == {"email": 1, "phone": 2}
    assert figures.served_in_one_contact == 1 and figures.single_contact_share == 0.5
    assert figures.ages == [36, 76] and figures.mean_age == 56
    assert (figures.pensioners, figures.without_welfare_relationship) == (1, 1)
    empty = queries.figures([unit.id], datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC))
    assert empty.clients == 0 and empty.single_contact_share is None and empty.referrals == 0


def test_recording_a_booked_follow_up_also_starts_the_work(db, worker, enrolment):
    """The phase moves on the first held contact however it is recorded: here a booked phone call, first
    recorded as a no-show and then corrected."""
    from portal.meetings.operations import ContactRecord, record_meeting
    from portal.scheduling.operations import BookingRequest, book

    starts = NOW + timedelta(days=3)
    call, _ = book(worker, BookingRequest(enrolment=enrolment, contact_type="phone-call", modality=Modality.PHONE,
                                          starts_at=starts, minutes=20, urgent=True), now=NOW)
    assert enrolment.phase == "referred"
    record_meeting(worker, call, ContactRecord(ContactStatus.NO_SHOW, Modality.PHONE, call.starts_at, call.ends_at),
                   now=call.ends_at)
    assert enrolment.phase == "referred"  # nobody answered: the work has not started
    record_meeting(worker, call, ContactRecord(ContactStatus.HELD, Modality.PHONE, call.starts_at, call.ends_at,
                                               outcome=ContactOutcome.FOLLOW_UP), now=call.ends_at)
    assert enrolment.phase == "working"  # corrected to held: the work started with this call
