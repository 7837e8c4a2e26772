"""A small county with a few clients in every programme, small enough to count by hand.

The expected figures are written out in test_figures.py, worked out from the rows below (not computed
with the reports' code). The period is the first half of 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.auth.models import Role
from portal.intake.models import (
    Assessment,
    AssessmentRule,
    DecisionMeeting,
    DecisionMeetingItem,
    DecisionOutcome,
    HousingServiceType,
    IntakeChannel,
    IntakeItem,
    IntakeStatus,
)
from portal.measures.models import Answer, AnswerSource, AnswerStatus
from portal.measures.operations import instrument_version
from portal.meetings.models import Contact, ContactOutcome, ContactStatus
from portal.people.models import Client, ClientLanguage, DiagnosisGroup, Gender, Municipality
from portal.plans.models import PhaseTransition, Plan, PlanVersion
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import EnrolmentStatus
from portal.queues.models import EntryStatus, HousingQueue, HousingUnit, QueueEntry, Vacancy, VacancyStatus
from portal.referrals.models import ConsentBy, ConsentHow, Referral, ReferralKind, ReferralStatus, Urgency
from portal.reports.queries import Filters

PERIOD = Filters(date(2026, 1, 1), date(2026, 6, 30))
TENX = ("health", "overcoming", "housing", "daily-coping", "family", "friends", "finances", "strengths",
        "self-esteem", "life")


def utc(y, m, d, h=0) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


class World:
    def __init__(self, db, create_staff, create_client, create_enrolment, unit):
        self.db, self.unit = db, unit
        self._create_client, self._create_enrolment = create_client, create_enrolment
        self.worker = create_staff(Role.WORKER, name="Työntekijä")
        self.other_worker = create_staff(Role.WORKER, name="Toinen")
        self.lead = create_staff(Role.TEAM_LEAD, name="Esihenkilö")
        self.espoo = db.session.get(Municipality, "049") or Municipality(code="049", name_fi="Espoo",
                                                                          name_sv="Esbo")
        db.session.add(self.espoo)
        self.serial = 0

    def client(self, birth_year, gender=Gender.FEMALE, diagnosis=None, municipality="091", pensioner=False,
               welfare=False) -> Client:
        row = self._create_client(with_login=False, birth_year=birth_year, language=ClientLanguage.FI)
        row.gender, row.diagnosis_group, row.municipality_code = gender, diagnosis, municipality
        row.pensioner, row.social_welfare_client = pensioner, welfare
        return row

    def enrolment(self, client, programme, start_on, ended_on=None, coordinator=None, phase=None):
        row = self._create_enrolment(client, coordinator=coordinator or self.other_worker, programme=programme,
                                     start_on=start_on, ended_on=ended_on,
                                     status=EnrolmentStatus.ENDED if ended_on else EnrolmentStatus.ACTIVE)
        if phase:
            row.phase = phase
        return row

    def contact(self, enrolment, modality, at, minutes=None, support=(), worked=None, status=ContactStatus.HELD,
                outcome=None):
        held = status is ContactStatus.HELD
        self.db.session.add(Contact(
            enrolment_id=enrolment.id, worker_id=enrolment.coordinator_id, contact_type="guidance-meeting",
            modality=modality, status=status, starts_at=at, ends_at=at + timedelta(minutes=minutes or 30),
            duration_minutes=minutes if held else None, support_types=list(support), worked_remotely=worked,
            outcome=outcome))

    def answer(self, enrolment, instrument, occurrence, on, values=None, total=None):
        version = instrument_version(instrument)
        self.db.session.add(Answer(
            enrolment_id=enrolment.id, client_id=enrolment.client_id, instrument_id=version.id,
            instrument_code=instrument, occurrence=occurrence, status=AnswerStatus.SUBMITTED,
            source=AnswerSource.PAPER, values=values or {}, total=total, answered_on=on, submitted_at=on))


def _remote(w: World) -> None:
    a = w.enrolment(w.client(1990, Gender.FEMALE, DiagnosisGroup.PSYCHOSIS), "remote-guidance", date(2025, 11, 1),
                    coordinator=w.worker)
    b = w.enrolment(w.client(1960, Gender.MALE, DiagnosisGroup.MOOD), "remote-guidance", date(2025, 11, 1))
    c = w.enrolment(w.client(1999, Gender.FEMALE, None), "remote-guidance", date(2025, 12, 1))
    w.contact(a, Modality.VIDEO, utc(2026, 1, 10, 9), 60, ["cleaning"], True)
    w.contact(a, Modality.VIDEO, utc(2026, 2, 10, 9), 30, ["money", "cleaning"], False)
    w.contact(a, Modality.HOME_VISIT, utc(2026, 3, 10, 9), 90, ["cleaning"])
    w.contact(b, Modality.PHONE, utc(2026, 1, 12, 9), 20, ["money"])
    w.contact(b, Modality.HOME_VISIT, utc(2026, 4, 12, 9), 60)
    w.contact(c, Modality.VIDEO, utc(2026, 5, 2, 9), 40, ["money"], True)
    w.contact(c, Modality.VIDEO, utc(2026, 5, 9, 9), status=ContactStatus.CANCELLED)
    w.contact(c, Modality.VIDEO, utc(2025, 12, 20, 9), 45, ["money"], True)  # before the period
    for n, (total, day) in enumerate([(20, 10), (22, 40), (26, 70)]):
        w.answer(a, "ors", f"appt-a{n}", utc(2026, 1, 1) + timedelta(days=day), total=total)
    w.answer(b, "ors", "appt-b0", utc(2026, 1, 12), total=25)
    w.answer(b, "ors", "appt-b1", utc(2026, 4, 12), total=27)
    w.answer(c, "ors", "appt-c0", utc(2026, 5, 2), total=18)
    w.answer(a, "srs", "appt-a0", utc(2026, 1, 10), total=35)
    w.answer(a, "srs", "appt-a1", utc(2026, 2, 10), total=38)
    w.answer(b, "srs", "appt-b0", utc(2026, 1, 12), total=30)
    w.answer(a, "satisfaction-survey", "year-2025", utc(2026, 1, 10), {"overall": 4, "remote-works": True})
    w.answer(b, "satisfaction-survey", "year-2025", utc(2026, 1, 12), {"overall": 2, "remote-works": False})


def _intensive(w: World) -> None:
    d = w.enrolment(w.client(2003), "intensive-rehabilitation", date(2025, 10, 1))
    e = w.enrolment(w.client(2004), "intensive-rehabilitation", date(2026, 1, 5), ended_on=date(2026, 3, 31))
    w.enrolment(w.client(2002), "intensive-rehabilitation", date(2025, 6, 1), ended_on=date(2026, 2, 15))
    for n in range(20):
        w.contact(d, Modality.RECEPTION, utc(2026, 1, 2, 9) + timedelta(days=7 * n), 60)
    for n in range(10):
        w.contact(e, Modality.VIDEO, utc(2026, 1, 6, 9) + timedelta(days=7 * n), 45)
    w.answer(d, "3x10d", "start", utc(2025, 10, 2), dict.fromkeys(TENX, 4), 4.0)
    w.answer(d, "3x10d", "month-6", utc(2026, 4, 1), dict.fromkeys(TENX, 5), 5.0)
    # Client e answered the official form (3X10D version 2), which has no total score: the overall row is the
    # mean of the items computed from the values, not a stored total.
    w.answer(e, "3x10d", "start", utc(2026, 1, 6), dict.fromkeys(TENX, 6))
    w.answer(e, "3x10d", "end", utc(2026, 3, 30), {**dict.fromkeys(TENX, 6), "health": 9})
    w.answer(d, "written-feedback", "period-2026q1", utc(2026, 1, 8), {"satisfied": True, "helped-toward-goals": True})
    w.answer(e, "written-feedback", "end", utc(2026, 3, 30), {"satisfied": True, "helped-toward-goals": False,
                                                               "comments": "Ryhmä oli parasta"})


def _ppt(w: World) -> None:
    g = w.enrolment(w.client(1980), "many-services", date(2026, 1, 10), phase="service-delivery")
    h = w.enrolment(w.client(1981), "many-services", date(2026, 1, 1), ended_on=date(2026, 3, 10),
                    phase="continuation")
    w.enrolment(w.client(1982), "many-services", date(2026, 5, 1), phase="referral")
    j = w.enrolment(w.client(1983), "many-services", date(2026, 2, 1), ended_on=date(2026, 4, 1),
                    phase="continuation")
    moves = [(g, "referral", "assessment-planning", utc(2026, 1, 20)),
             (g, "assessment-planning", "service-delivery", utc(2026, 2, 19)),
             (h, "referral", "assessment-planning", utc(2026, 1, 5)),
             (h, "assessment-planning", "service-delivery", utc(2026, 1, 25)),
             (h, "service-delivery", "continuation", utc(2026, 3, 1))]
    for enrolment, before, after, at in moves:
        w.db.session.add(PhaseTransition(enrolment_id=enrolment.id, from_phase=before, to_phase=after,
                                         by_id=w.other_worker.id, at=at))
    plan_g = Plan(enrolment=g, review_on=date(2026, 6, 1))
    plan_h = Plan(enrolment=h, continuation_at=utc(2026, 3, 5), next_steps="Jatkossa")
    plan_j = Plan(enrolment=j)
    w.db.session.add_all([plan_g, plan_h, plan_j])
    w.db.session.flush()
    # As agreeing does it: each version keeps the next review date set when it was agreed.
    for number, agreed, review in [(1, utc(2026, 1, 15), date(2026, 3, 5)), (2, utc(2026, 3, 1), date(2026, 4, 10)),
                                   (3, utc(2026, 4, 20), date(2026, 6, 1))]:
        w.db.session.add(PlanVersion(plan_id=plan_g.id, number=number, agreed_at=agreed, agreed_by_id=w.other_worker.id,
                                     review_on=review, snapshot={}))


def _health(w: World) -> None:
    k = w.enrolment(w.client(1950, pensioner=True), "health-social-work", date(2026, 2, 1))
    ll = w.enrolment(w.client(1970, welfare=True), "health-social-work", date(2026, 2, 3))
    m = w.enrolment(w.client(1940, pensioner=True), "health-social-work", date(2025, 12, 20))
    w.contact(k, Modality.PHONE, utc(2026, 2, 1, 9), 20, outcome=ContactOutcome.SERVED)
    w.contact(ll, Modality.PHONE, utc(2026, 2, 3, 9), 20, outcome=ContactOutcome.FOLLOW_UP)
    w.contact(ll, Modality.RECEPTION, utc(2026, 2, 10, 9), 45, outcome=ContactOutcome.SERVED)
    w.contact(m, Modality.HOME_VISIT, utc(2025, 12, 20, 9), 60, outcome=ContactOutcome.FOLLOW_UP)
    w.contact(m, Modality.PHONE, utc(2026, 3, 1, 9), 20, outcome=ContactOutcome.SERVED)
    handled = {"handled_at": utc(2026, 2, 2), "handled_by_id": w.other_worker.id}
    w.db.session.add_all([
        Referral(kind=ReferralKind.CONSULTATION, unit_id=w.unit.id, referrer_id=w.lead.id, urgency=Urgency.NORMAL,
                 status=ReferralStatus.ANSWERED, situation="Kysymys", answer="Vastaus", created_at=utc(2026, 2, 1),
                 **handled),
        Referral(kind=ReferralKind.CONSULTATION, unit_id=w.unit.id, referrer_id=w.lead.id, urgency=Urgency.NORMAL,
                 situation="Toinen kysymys", created_at=utc(2026, 3, 1)),
        Referral(kind=ReferralKind.REFERRAL, unit_id=w.unit.id, referrer_id=w.lead.id, urgency=Urgency.THIS_WEEK,
                 status=ReferralStatus.ACCEPTED, situation="Lähete", first_name="A", last_name="B", birth_year=1950,
                 gender=Gender.FEMALE, municipality_code="091", language=ClientLanguage.FI, pensioner=True,
                 social_welfare_client=False, consent_by=ConsentBy.CLIENT, consent_on=date(2026, 1, 30),
                 consent_how=ConsentHow.VERBAL, enrolment_id=k.id, client_id=k.client_id,
                 created_at=utc(2026, 1, 30), **handled),
    ])


def _housing(w: World) -> None:
    n1 = w.enrolment(w.client(1950), "housing-guidance", date(2026, 1, 15))
    n2 = w.enrolment(w.client(1945, municipality="049"), "housing-guidance", date(2026, 1, 2))
    n3 = w.enrolment(w.client(1955), "housing-guidance", date(2026, 1, 10))
    notifier = {"notifier_name": "Hoitaja", "notifier_organisation": "Terveysasema", "person_informed": True,
                "person_consented": True}
    for channel, code, on, status, extra in [
            (IntakeChannel.phone, "091", date(2026, 1, 10), IntakeStatus.registered, {}),
            (IntakeChannel.phone, "091", date(2026, 2, 10), IntakeStatus.received, {}),
            (IntakeChannel.paper, "091", date(2026, 3, 10), IntakeStatus.received, {}),
            (IntakeChannel.service_request, "049", date(2026, 1, 2), IntakeStatus.received, {}),
            (IntakeChannel.notification_35, "049", date(2026, 4, 2), IntakeStatus.received, notifier),
            (IntakeChannel.phone, "091", date(2025, 12, 30), IntakeStatus.received, {})]:
        w.db.session.add(IntakeItem(channel=channel, municipality_code=code, received_on=on, status=status,
                                    enrolment_id=n1.id if status is IntakeStatus.registered else None, **extra))
    w.db.session.add(IntakeItem(channel=IntakeChannel.service_request, status=IntakeStatus.draft))
    for enrolment, rule, received, start_due, started, due, completed in [
            (n1, AssessmentRule.priority, date(2026, 2, 2), date(2026, 2, 11), date(2026, 2, 5), date(2026, 3, 2),
             date(2026, 2, 27)),
            (n2, AssessmentRule.priority, date(2026, 3, 2), date(2026, 3, 11), date(2026, 3, 16), date(2026, 4, 1),
             None),
            (n3, AssessmentRule.undue_delay, date(2026, 1, 15), None, date(2026, 1, 20), date(2026, 2, 15),
             date(2026, 2, 20)),
            (n3, AssessmentRule.undue_delay, date(2026, 4, 1), None, date(2026, 4, 2), date(2026, 5, 1),
             date(2026, 4, 20))]:
        w.db.session.add(Assessment(enrolment_id=enrolment.id, rule=rule, received_on=received, start_due_on=start_due,
                                    started_on=started, due_on=due, completed_on=completed,
                                    summary="Yhteenveto" if completed else None))
    _meetings(w, n1, n2, n3)
    _queues(w, n1, n2, n3)


def _meetings(w: World, n1, n2, n3) -> None:
    m1 = DecisionMeeting(unit_id=w.unit.id, starts_at=utc(2026, 2, 10, 7), minutes=60, chair_id=w.lead.id)
    m2 = DecisionMeeting(unit_id=w.unit.id, starts_at=utc(2026, 2, 13, 7), minutes=60, chair_id=w.lead.id)
    w.db.session.add_all([m1, m2])
    w.db.session.flush()
    recorded = {"recorded_at": utc(2026, 2, 10, 8), "recorded_by_id": w.lead.id}
    for meeting, position, enrolment, estimate, actual, outcome in [
            (m1, 1, n1, 20, 30, DecisionOutcome.granted), (m1, 2, n2, 20, 25, DecisionOutcome.rejected),
            (m1, 3, n3, 20, 10, None), (m2, 1, n3, 20, 20, DecisionOutcome.more_information)]:
        w.db.session.add(DecisionMeetingItem(
            meeting_id=meeting.id, enrolment_id=enrolment.id, worker_id=w.other_worker.id, position=position,
            estimated_minutes=estimate, actual_minutes=actual, outcome=outcome,
            service_type=HousingServiceType.supported if outcome is DecisionOutcome.granted else None,
            **(recorded if outcome else {})))


def _queues(w: World, n1, n2, n3) -> None:
    from sqlalchemy import select

    queue = w.db.session.scalar(select(HousingQueue).where(HousingQueue.service_type == HousingServiceType.supported))
    if queue is None:
        queue = HousingQueue(service_type=HousingServiceType.supported)
        w.db.session.add(queue)
        w.db.session.flush()
    w.db.session.add_all([
        QueueEntry(queue_id=queue.id, enrolment_id=n1.id, queued_on=date(2026, 3, 1)),
        QueueEntry(queue_id=queue.id, enrolment_id=n2.id, queued_on=date(2026, 1, 10), status=EntryStatus.PLACED,
                   left_on=date(2026, 2, 9)),
        QueueEntry(queue_id=queue.id, enrolment_id=n3.id, queued_on=date(2026, 5, 31)),
    ])
    home = HousingUnit(name="Kotipesä", municipality_code="091", service_type=HousingServiceType.supported, places=10,
                       provider="Palvelu Oy")
    w.db.session.add(home)
    w.db.session.flush()
    for free_from, status, filled_on, days in [
            (date(2026, 2, 1), VacancyStatus.FILLED, date(2026, 2, 9), 8),
            (date(2026, 3, 1), VacancyStatus.OPEN, None, None),
            (date(2026, 4, 1), VacancyStatus.FILLED, date(2026, 4, 5), 4),
            (date(2026, 5, 1), VacancyStatus.CANCELLED, None, None)]:
        w.db.session.add(Vacancy(unit_id=home.id, free_from=free_from, status=status, filled_on=filled_on,
                                 days_to_fill=days))


@pytest.fixture
def world(db, create_staff, create_client, create_enrolment, unit):
    w = World(db, create_staff, create_client, create_enrolment, unit)
    for build in (_remote, _intensive, _ppt, _health, _housing):
        build(w)
    db.session.flush()
    return w
