"""Demo intake for Länsi-Uusimaa (seed 001): contacts from every channel, assessments, SAP meetings, decisions.

Builds on the housing-guidance enrolments the history made: each got an intake item a few days before it
started, an assessment (most on time, some late), and — once past the assessment — a slot in one of the
twice-weekly decision meetings with the minutes it really took (short slots run over, as the seed says),
a decision in the client's language signed by the service-unit manager who chaired. Each meeting held records
who attended (the chair, the lead social worker, the workers who presented); one placed client whose service
need changes is on a coming meeting's agenda. Assessments are recorded by the configured areas, with the
client's own view in their words and a summary written for them. A few contacts are still waiting in the
intake list, one of them a duplicate §35 notification of a client already in the queue. Rows are written
directly (no signals): the queues demo builds its own queue from the granted decisions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.intake import drafting
from portal.intake.deadlines import add_working_days, deadlines_for, is_priority, is_working_day
from portal.intake.models import (
    AgendaReason,
    Assessment,
    AssessmentArea,
    Decision,
    DecisionMeeting,
    DecisionMeetingAttendee,
    DecisionMeetingItem,
    DecisionOutcome,
    HousingServiceType,
    IntakeChannel,
    IntakeItem,
    IntakeStatus,
    MeetingCapacity,
)
from portal.people.queries import unit_caseworkers
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.timeutil import local

PROGRAMME = "housing-guidance"
# Seed 001: the service-unit manager chairs SAP, with the lead social worker and each client's worker.
CHAIR = "marja.aaltonen@silta.example"
LEAD_SOCIAL_WORKER = "mikael.lindqvist@silta.example"
CHANNELS = [(IntakeChannel.service_request, 25), (IntakeChannel.notification_35, 30), (IntakeChannel.phone, 25),
            (IntakeChannel.paper, 12), (IntakeChannel.visit, 8)]
SERVICES = [(HousingServiceType.supported, 50), (HousingServiceType.communal, 30),
            (HousingServiceType.round_the_clock, 20)]
NOTIFIERS = [("Päivi Lehto", "Lohjan sairaalan psykiatrian osasto", "+358 19 123 4501"),
             ("Johan Ek", "Raseborgs hälsocentral", "+358 19 123 4502"),
             ("Satu Rinne", "Espoon päihdepoliklinikka", "+358 9 123 4503"),
             ("Marko Salo", "Kirkkonummen terveysasema", "+358 9 123 4504")]
NEEDS = ["Asuu yksin, ei selviydy arjesta ilman päivittäistä tukea. Toivoo tuettua asumista.",
         "Kotiutumassa psykiatriselta osastolta, nykyinen asunto ei sovellu.",
         "Päihteiden käyttö ja vuokrarästit, häätöuhka. Tarvitsee asumisen tukea.",
         "Omainen huolissaan: ei ole syönyt säännöllisesti, asunto huonossa kunnossa.",
         "Bor ensam och klarar inte vardagen, önskar stött boende."]


@dataclass
class _Meetings:
    rows: list[DecisionMeeting]
    used: dict[int, int]

    def first_with_room(self, after: date, minutes: int) -> DecisionMeeting | None:
        for meeting in self.rows:
            if meeting.starts_at.date() > after and self.used.get(id(meeting), 0) + minutes <= meeting.minutes:
                self.used[id(meeting)] = self.used.get(id(meeting), 0) + minutes
                return meeting
        return None


def seed_intake(session: Session, enrolments: list[Enrolment], today: date, rng: random.Random) -> None:
    """Intake, assessments, meetings and decisions behind every housing-guidance enrolment; flushes."""
    housing = sorted((e for e in enrolments if e.programme_code == PROGRAMME), key=lambda e: (e.start_on, e.id))
    chair = session.scalar(select(User).where(User.email == CHAIR))
    if not housing or chair is None:
        return
    colleague = next((u for u in unit_caseworkers(housing[0].unit_id) if u.id != chair.id), chair)
    meetings = _Meetings(_meetings(session, housing[0].unit_id, chair, housing[0].start_on - timedelta(days=21),
                                   today + timedelta(days=21)), {})
    positions: dict[int, int] = {}
    for enrolment in housing:
        item = _item_for(session, enrolment, today, rng)
        if rng.random() < 0.5:
            _second_contact(session, enrolment, item, today, rng)
        assessment = _assessment_for(session, enrolment, item, today, rng)
        if _past_assessment(enrolment):
            _decide(session, enrolment, assessment, meetings, positions, chair, colleague, today, rng)
    _changed_need(session, housing, meetings, positions, today)
    _open_contacts(session, housing, today, rng)
    session.flush()
    _attendance(session, meetings.rows, chair, session.scalar(select(User).where(User.email == LEAD_SOCIAL_WORKER)),
                today)


def _meetings(session: Session, unit_id: int, chair: User, start: date, end: date) -> list[DecisionMeeting]:
    rows = [DecisionMeeting(unit_id=unit_id, starts_at=local(day, time(13, 0)), minutes=90, chair_id=chair.id)
            for day in (start + timedelta(days=n) for n in range((end - start).days + 1))
            if day.weekday() in (1, 3) and is_working_day(day)]
    session.add_all(rows)
    session.flush()
    return rows


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _item_for(session: Session, enrolment: Enrolment, today: date, rng: random.Random) -> IntakeItem:
    client = enrolment.client
    channel = IntakeChannel.service_request if client.user_id and rng.random() < 0.5 else _pick(rng, CHANNELS)
    received = enrolment.start_on - timedelta(days=rng.choice((0, 1, 1, 2, 3, 6)))
    item = IntakeItem(channel=channel, status=IntakeStatus.registered, municipality_code=client.municipality_code,
                      received_on=received, first_name=client.first_name, last_name=client.last_name,
                      birth_year=client.birth_year, phone=client.phone, email=client.email,
                      language="sv" if client.language.value == "sv" else "fi", description=rng.choice(NEEDS),
                      highest_care_allowance=rng.random() < 0.25, client_id=client.id, enrolment_id=enrolment.id,
                      submitted_by_id=client.user_id if channel is IntakeChannel.service_request else None,
                      registered_by_id=enrolment.coordinator_id, registered_at=_at(enrolment.start_on, 10),
                      created_at=_at(received, 9))
    if channel is IntakeChannel.notification_35:
        item.notifier_name, item.notifier_organisation, item.notifier_phone = rng.choice(NOTIFIERS)
        item.person_informed, item.person_consented = True, rng.random() < 0.9
    session.add(item)
    return item


def _second_contact(session: Session, enrolment: Enrolment, first: IntakeItem, today: date,
                    rng: random.Random) -> None:
    """Another contact about the same person (a relative calls, the hospital notifies): merged into the case."""
    received = first.received_on + timedelta(days=rng.randint(3, 40))
    if received > today:
        return
    channel = rng.choice((IntakeChannel.phone, IntakeChannel.notification_35, IntakeChannel.notification_35,
                          IntakeChannel.paper, IntakeChannel.visit))
    client = enrolment.client
    item = IntakeItem(channel=channel, status=IntakeStatus.merged, municipality_code=client.municipality_code,
                      received_on=received, first_name=client.first_name, last_name=client.last_name,
                      birth_year=client.birth_year, language=first.language, description=rng.choice(NEEDS),
                      client_id=client.id, enrolment_id=enrolment.id, registered_by_id=enrolment.coordinator_id,
                      registered_at=_at(received, 14), created_at=_at(received, 10))
    if channel is IntakeChannel.notification_35:
        item.notifier_name, item.notifier_organisation, item.notifier_phone = rng.choice(NOTIFIERS)
        item.person_informed, item.person_consented = True, rng.random() < 0.85
    session.add(item)


def _assessment_for(session: Session, enrolment: Enrolment, item: IntakeItem, today: date,
                    rng: random.Random) -> Assessment:
    priority = is_priority(item.birth_year, item.highest_care_allowance, item.received_on)
    due = deadlines_for(item.received_on, priority, config={})
    started = add_working_days(item.received_on, rng.choice((1, 2, 3, 4, 5, 6, 9)))
    completed = add_working_days(started, rng.choice((6, 10, 14, 18, 22, 25, 38)))  # a few run late
    if _past_assessment(enrolment):  # decided already: the meeting that decided it is at least a week ago
        completed = max(started, min(completed, today - timedelta(days=7)))
    elif enrolment.phase == "intake" or started > today:
        started, completed = None, None
    elif completed > today or rng.random() < 0.6:
        completed = None
    assessment = Assessment(enrolment_id=enrolment.id, intake_item_id=None, worker_id=enrolment.coordinator_id,
                            rule=due.rule, received_on=item.received_on, start_due_on=due.start_due_on,
                            due_on=due.due_on, started_on=started, completed_on=completed,
                            summary=_summary(enrolment, rng) if completed or started else None)
    if started is not None:
        _areas(assessment, enrolment, completed is not None, rng)
    session.add(assessment)
    session.flush()
    item.enrolment_id = enrolment.id
    assessment.intake_item_id = item.id
    return assessment


# The shipped areas (portal/intake/assessment_areas): the worker's assessment, and the client's own view in
# the client's language and words; a completed assessment has a summary written for the client.
AREA_TEXTS = {
    "housing-services": (("Tarvitsee asumiseen päivittäistä tukea.", "Tarvitsee tukea asumiseen muutaman kerran "
                          "viikossa."),
                         {"fi": ("Haluan asua omassa kodissa, mutta en pärjää yksin.", "Tarvitsen apua, en "
                                 "laitosta."),
                          "sv": ("Jag vill bo i ett eget hem, men klarar mig inte ensam.",
                                 "Jag behöver hjälp, inte en anstalt.")}),
    "independent-living": (("Harjoittelee arjen taitoja ohjatusti.", "Kuntoutuminen etenee, tavoitteena oma asunto."),
                           {"fi": ("Haluan oppia hoitamaan laskuni itse.", "Haluan joskus asua taas ihan itse."),
                            "sv": ("Jag vill lära mig sköta mina räkningar själv.",
                                   "Jag vill någon gång bo helt själv igen.")}),
    "coordinated-services": (("Psykiatrian poliklinikka ja terveysasema mukana, lääkitys sovittava yhteen.",
                              "Päihdepoliklinikan käynnit jatkuvat asumispalvelun rinnalla."),
                             {"fi": ("Lääkäri ja hoitaja tietävät tilanteeni, toivon että he puhuvat keskenään.",
                                     "Käyn polilla edelleen."),
                              "sv": ("Läkaren och skötaren känner till min situation, de får tala med varandra.",
                                     "Jag går fortfarande på polikliniken.")}),
}
CLIENT_SUMMARY = {
    "fi": "Arvioimme yhdessä, että tarvitset tukea asumiseen. Asia viedään SAP-kokouksen päätettäväksi.",
    "sv": "Vi bedömde tillsammans att du behöver stöd i boendet. Ärendet förs till SAP-mötet för beslut.",
}


def _areas(assessment: Assessment, enrolment: Enrolment, completed: bool, rng: random.Random) -> None:
    language = "sv" if enrolment.client.language.value == "sv" else "fi"
    for code, (worker_views, client_views) in AREA_TEXTS.items():
        assessment.areas.append(AssessmentArea(area_code=code, worker_view=rng.choice(worker_views),
                                               client_view=rng.choice(client_views[language])))
    if completed:
        assessment.client_summary = CLIENT_SUMMARY[language]


def _past_assessment(enrolment: Enrolment) -> bool:
    return enrolment.phase not in ("intake", "assessment") or enrolment.status is EnrolmentStatus.ENDED


def _summary(enrolment: Enrolment, rng: random.Random) -> str:
    client = enrolment.client
    lines = [f"{client.full_name}, {enrolment.start_on.year - client.birth_year} v.",
             rng.choice(("Asuu yksin vuokra-asunnossa.", "Asuu tällä hetkellä tilapäisesti tuttavan luona.",
                         "Kotiutumassa osastohoidosta.")),
             rng.choice(("Tarvitsee päivittäistä tukea arjen hallintaan ja lääkityksestä huolehtimiseen.",
                         "Selviää osin itsenäisesti, tarvitsee tukea asiointiin ja raha-asioihin.",
                         "Tarvitsee ympärivuorokautista tukea ja valvontaa.")),
             "Asiakas on osallistunut arviointiin ja toivoo asumispalvelua."]
    return "\n".join(lines)


def _decide(session: Session, enrolment: Enrolment, assessment: Assessment, meetings: _Meetings,
            positions: dict[int, int], chair: User, colleague: User, today: date, rng: random.Random) -> None:
    worker = _drafter(enrolment, chair, colleague)
    after = assessment.completed_on
    if rng.random() < 0.12 and enrolment.phase in ("queue", "placed"):  # a first round asked for more information
        first = _slot(session, meetings, positions, enrolment, assessment, worker, after, rng)
        if first is not None and first[0].starts_at.date() < today:
            _record(session, first, DecisionOutcome.more_information, None, chair, rng, sign=True)
            after = first[0].starts_at.date() + timedelta(days=3)
    slot = _slot(session, meetings, positions, enrolment, assessment, worker, after, rng)
    if slot is None or slot[0].starts_at.date() >= today:
        return  # booked for a coming meeting: no outcome yet
    ended_without = enrolment.status is EnrolmentStatus.ENDED and enrolment.phase not in ("queue", "placed")
    outcome = DecisionOutcome.rejected if ended_without and rng.random() < 0.6 else DecisionOutcome.granted
    service = _pick(rng, SERVICES) if outcome is DecisionOutcome.granted else None
    # The latest decision of a case still in phase "decision" is sometimes waiting for its signature.
    sign = enrolment.phase != "decision" or rng.random() < 0.5
    _record(session, slot, outcome, service, chair, rng, sign)


def _drafter(enrolment: Enrolment, chair: User, colleague: User) -> User:
    """The worker who brings the client: never the chair, who signs (four eyes)."""
    for user in (enrolment.coordinator, enrolment.deputy):
        if user is not None and user.id != chair.id:
            return user
    return colleague


def _slot(session, meetings: _Meetings, positions, enrolment, assessment, worker, after: date, rng):
    estimate = rng.choice((10, 10, 10, 10, 10, 15, 15, 20, 30))
    meeting = meetings.first_with_room(after, estimate)
    if meeting is None:
        return None
    positions[id(meeting)] = positions.get(id(meeting), 0) + 1
    item = DecisionMeetingItem(meeting_id=meeting.id, enrolment_id=enrolment.id, assessment_id=assessment.id,
                               worker_id=worker.id, position=positions[id(meeting)], estimated_minutes=estimate,
                               created_at=_at(after, 12))
    session.add(item)
    return meeting, item


def _record(session, slot, outcome, service, chair: User, rng: random.Random, sign: bool) -> None:
    meeting, item = slot
    # Ten-minute slots run over (further questions from the group); longer estimates are nearer the mark.
    overrun = rng.choice((0, 0, 2, 3, 5, 5, 8, 12)) if item.estimated_minutes <= 10 else rng.choice((-5, 0, 0, 3, 5))
    item.outcome, item.service_type = outcome, service
    item.actual_minutes = max(3, item.estimated_minutes + overrun)
    item.recorded_at, item.recorded_by_id = meeting.starts_at + timedelta(minutes=90), chair.id
    session.flush()
    client = session.get(Enrolment, item.enrolment_id).client
    language = "sv" if client.language.value == "sv" else "fi"
    with force_locale(language):
        body = drafting.render(language, client=client, item=item, meeting=meeting)
    signed_at = meeting.starts_at + timedelta(days=1, hours=2) if sign else None
    session.add(Decision(enrolment_id=item.enrolment_id, meeting_item_id=item.id, outcome=outcome,
                         service_type=service, language=language, body=body.strip(), drafted_by_id=item.worker_id,
                         drafted_at=meeting.starts_at + timedelta(hours=3), signed_at=signed_at,
                         signed_by_id=chair.id if sign else None))


def _changed_need(session: Session, housing: list[Enrolment], meetings: _Meetings, positions: dict[int, int],
                  today: date) -> None:
    """Seed 001: a client whose service need changes goes to SAP too. The worker of one client already placed
    (else one waiting in a queue) has booked the coming meeting (no outcome yet: it is ahead)."""
    candidates = [e for e in housing if e.phase in ("placed", "queue") and e.status is EnrolmentStatus.ACTIVE
                  and e.coordinator is not None]
    placed = min(candidates, key=lambda e: (e.phase != "placed", e.id), default=None)
    assessments = [] if placed is None else session.scalars(select(Assessment).where(
        Assessment.enrolment_id == placed.id).order_by(Assessment.id.desc())).all()
    meeting = meetings.first_with_room(today, 15)
    if placed is None or meeting is None or not assessments:
        return
    positions[id(meeting)] = positions.get(id(meeting), 0) + 1
    session.add(DecisionMeetingItem(meeting_id=meeting.id, enrolment_id=placed.id, assessment_id=assessments[0].id,
                                    worker_id=placed.coordinator_id, position=positions[id(meeting)],
                                    estimated_minutes=15, reason=AgendaReason.changed_need,
                                    created_at=_at(today - timedelta(days=1), 12)))


def _attendance(session: Session, meetings: list[DecisionMeeting], chair: User, lead: User | None,
                today: date) -> None:
    """Who attended each meeting held: the chair, the lead social worker and the workers who presented."""
    for meeting in meetings:
        if meeting.starts_at.date() >= today:
            continue
        workers = {item.worker_id for item in session.scalars(select(DecisionMeetingItem).where(
            DecisionMeetingItem.meeting_id == meeting.id))}
        if not workers:
            continue
        present = {chair.id: MeetingCapacity.chair}
        if lead is not None:
            present[lead.id] = MeetingCapacity.lead_social_worker
        for worker_id in workers:
            present.setdefault(worker_id, MeetingCapacity.client_worker)
        session.add_all(DecisionMeetingAttendee(meeting_id=meeting.id, user_id=user_id, capacity=capacity,
                                                recorded_by_id=chair.id,
                                                recorded_at=meeting.starts_at + timedelta(minutes=90))
                        for user_id, capacity in present.items())


def _open_contacts(session: Session, housing: list[Enrolment], today: date, rng: random.Random) -> None:
    """Contacts from the last two weeks still waiting in the list, across the region's municipalities."""
    places = [m.code for m in housing[0].unit.municipalities]
    people = [("Kalle", "Virta", 1961, "fi"), ("Sirpa", "Nieminen", 1947, "fi"), ("Tomas", "Lindholm", 1985, "sv"),
              ("Jari", "Koivisto", 1979, "fi"), ("Anneli", "Mattila", 1955, "fi"), ("Mikko", "Saari", 1990, "fi")]
    for n, (first, last, year, language) in enumerate(people):
        channel = [IntakeChannel.notification_35, IntakeChannel.phone, IntakeChannel.paper, IntakeChannel.visit,
                   IntakeChannel.notification_35, IntakeChannel.phone][n]
        item = IntakeItem(channel=channel, status=IntakeStatus.received, municipality_code=places[n % len(places)],
                          received_on=today - timedelta(days=1 + 2 * n), first_name=first, last_name=last,
                          birth_year=year, language=language, description=rng.choice(NEEDS),
                          created_at=_at(today - timedelta(days=1 + 2 * n), 9))
        if channel is IntakeChannel.notification_35:
            item.notifier_name, item.notifier_organisation, item.notifier_phone = rng.choice(NOTIFIERS)
            item.person_informed, item.person_consented = True, True
        session.add(item)
    queued = next((e for e in housing if e.phase == "queue" and e.status is EnrolmentStatus.ACTIVE), None)
    if queued is not None:  # the same person notified again by the hospital: flagged as a duplicate
        client = queued.client
        name, organisation, phone = NOTIFIERS[0]
        session.add(IntakeItem(channel=IntakeChannel.notification_35, status=IntakeStatus.received,
                               municipality_code=client.municipality_code, received_on=today - timedelta(days=2),
                               first_name=client.first_name, last_name=client.last_name, birth_year=client.birth_year,
                               description=NEEDS[1], client_id=client.id, notifier_name=name,
                               notifier_organisation=organisation, notifier_phone=phone, person_informed=True,
                               person_consented=True, created_at=_at(today - timedelta(days=2), 11)))


def _at(day: date, hour: int) -> datetime:
    return local(day, time(hour, 0))
