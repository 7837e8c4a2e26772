"""Demo enrolments and a year of appointments, each programme at the rhythm its seed text describes.

Every meeting is an ``Appointment`` with its participants (the worker as host, the client); what has
already happened also has a ``Contact``, the record the programme's figures stand on. Appointments
from today on have no record yet. The database forbids double booking (two blocking participant rows
of one person may not overlap), so the builder keeps a calendar of quarter hours for every worker
and every client, with the worker's travel time around home visits, and books only into free time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.auth.models import User
from portal.demo.people import Decks, FixedClient
from portal.meetings.models import Contact, ContactStatus
from portal.people.models import Client, OrgUnit
from portal.programmes.definitions_schema import ContactType, Modality, ProgrammeDefinition
from portal.programmes.models import Enrolment, EnrolmentStatus, TeamMember
from portal.scheduling.models import Appointment, AppointmentStatus, Participant, ParticipantRole

HELSINKI = ZoneInfo("Europe/Helsinki")
QUARTERS = 32  # the working day, 8:00–16:00, in 15-minute steps
# Closed groups (seed 002) meet at a fixed time every week: Wednesdays at 13:00.
GROUP_WEEKDAY, GROUP_QUARTER = 2, 20
# Holidays on fixed dates; the movable ones (Easter, Midsummer Eve) are left out on purpose.
FIXED_HOLIDAYS = frozenset({(1, 1), (1, 6), (5, 1), (12, 6), (12, 24), (12, 25), (12, 26)})
WRITTEN = frozenset({Modality.EMAIL, Modality.TEXT_MESSAGE})
LOOKAHEAD = timedelta(days=14)  # appointments reach this far ahead
TRAVEL_MINUTES = 30  # the worker's way to a home visit and back, each side of it
RECORDED = {ContactStatus.HELD: AppointmentStatus.HELD, ContactStatus.CANCELLED: AppointmentStatus.CANCELLED,
            ContactStatus.NO_SHOW: AppointmentStatus.NO_SHOW}
CANCEL_REASONS = ("Asiakas sairastui", "Asiakkaalle tuli este", "Työntekijä sairastui",
                  "Asiakas pyysi uutta aikaa", "Asiakkaalla päällekkäinen meno", "Kuljetus ei järjestynyt")
GROUP_CANCEL_REASON = "Kukaan ryhmäläisistä ei päässyt"

@dataclass(frozen=True)
class Rhythm:
    """How one programme's contacts happen over time."""

    gaps: tuple[int, ...]  # days between contacts, one picked each time
    mix: dict[tuple[str, str], int]  # (contact type, modality) → relative frequency
    episode: tuple[int, int] | None = None  # days an enrolment runs; None: it ends after its last contact
    counts: tuple[int, ...] | None = None  # contacts per enrolment, one picked (None: as long as it runs)
    opening: tuple[str, ...] = ()  # contact types of the first contacts, in order
    missed: tuple[float, float] = (0.07, 0.05)  # shares of past contacts cancelled, no-show
    own_team: bool = False
    recent_share: float = 0.0  # of the enrolments, this share started in the last three weeks (still going)


RHYTHMS = {
    # About weekly; over 70 % remote: mostly video, some phone, home visits mixed in.
    "000": Rhythm((5, 6, 7, 7, 7, 7, 8, 9, 14), {
        ("guidance-meeting", "video"): 65, ("guidance-meeting", "phone"): 13, ("guidance-meeting", "home_visit"): 10,
        ("network-meeting", "video"): 6, ("network-meeting", "reception"): 3, ("network-meeting", "home_visit"): 3,
    }, episode=(180, 420)),
    # Intake by phone, an assessment; then a few calls while in the queue, which can last months. The decision
    # meeting (SAP) is no contact with the client: the worker presents the case there (intake's agenda).
    "001": Rhythm((7, 10, 14, 21, 28, 35), {
        ("phone-contact", "phone"): 50, ("assessment-meeting", "home_visit"): 10,
        ("assessment-meeting", "reception"): 8, ("assessment-meeting", "video"): 6,
        ("assessment-meeting", "phone"): 4,
    }, episode=(90, 400), counts=(3, 4, 4, 5, 5, 6, 7),
        opening=("phone-contact", "assessment-meeting")),
    # Two or three contacts a week for at most six months.
    "002": Rhythm((1, 2, 2, 2, 3), {
        ("individual", "reception"): 20, ("individual", "home_visit"): 8, ("individual", "video"): 7,
        ("group-session", "reception"): 20, ("group-session", "video"): 5, ("network-meeting", "reception"): 5,
        ("network-meeting", "video"): 3, ("video-call", "video"): 17, ("short-contact", "phone"): 10,
        ("short-contact", "text_message"): 5,
    }, episode=(110, 183), opening=("individual",), missed=(0.08, 0.10)),
    # Every two to three weeks, with the own team and plan reviews now and then.
    "003": Rhythm((14, 16, 18, 21), {
        ("coordinator-meeting", "reception"): 24, ("coordinator-meeting", "video"): 15,
        ("coordinator-meeting", "phone"): 15, ("coordinator-meeting", "home_visit"): 6,
        ("own-team-meeting", "reception"): 14, ("own-team-meeting", "video"): 6, ("plan-review", "reception"): 12,
        ("plan-review", "video"): 5, ("plan-review", "home_visit"): 3,
    }, episode=(180, 480), opening=("coordinator-meeting", "own-team-meeting"), own_team=True),
    # 80 % by phone, 10 % at the reception, 5 % home visits, the rest e-mail and text; a quarter in one
    # contact. A small deck (40 cards) because the whole programme has only some 50 contacts.
    "004": Rhythm((2, 3, 5, 7, 10, 14), {
        ("phone-call", "phone"): 32, ("reception-visit", "reception"): 4, ("home-visit", "home_visit"): 2,
        ("written-contact", "email"): 1, ("written-contact", "text_message"): 1,
    }, counts=(1,) * 5 + (2,) * 7 + (3,) * 5 + (4,) * 3, missed=(0.03, 0.07), recent_share=0.3),
}
DEFAULT_RHYTHM = Rhythm((7, 14, 21), {}, episode=(90, 365))


@dataclass
class _Visit:
    """One meeting of one enrolment: always an appointment; a contact record once it is past."""

    ctype: ContactType
    modality: Modality
    starts_at: datetime
    appointment: Appointment
    contact: Contact | None  # None: still ahead (from today on), only booked

    @property
    def day(self) -> date:
        return self.starts_at.date()  # starts_at is in Helsinki time


@dataclass
class _GroupSession:
    """One meeting of a worker's closed group: one appointment, one contact record per member.

    Decision: the members' records are linked to no appointment (``appointment_id`` None), because
    ``contacts.appointment_id`` is unique and one appointment cannot be linked to several records;
    linking only one member's record would make that member look different from the others. The
    session is found from a record through the participants (the member's client id and the time).
    """

    appointment: Appointment
    members: list[_Visit] = field(default_factory=list)


@dataclass
class _Case:
    """One enrolment while its history is written."""

    enrolment: Enrolment
    definition: ProgrammeDefinition
    rhythm: Rhythm
    client: Client
    pairs: list[tuple[ContactType, Modality]]
    weights: list[int]
    horizon: date
    open_ended: bool = False  # a README demo client: stays active, whatever the rhythm says
    visits: list[_Visit] = field(default_factory=list)


class HistoryBuilder:
    """Writes enrolments, their appointments and contact records; nobody's calendar is double-booked.

    The calendar is a set of (person, day, quarter) taken: a worker is keyed by e-mail, a client by
    the ``Client`` object (its id comes only with the flush). A worker's quarters include the travel
    time around home visits, as the participant row's busy interval does.
    """

    def __init__(self, rng: random.Random, decks: Decks, today: date, staff: dict[str, User]):
        self.rng, self.decks, self.today, self.staff = rng, decks, today, staff
        self.busy: set[tuple[str | Client, date, int]] = set()
        self.cases: list[_Case] = []
        self.groups: dict[tuple[str, str, date], _GroupSession] = {}  # (programme, worker e-mail, day)
        self._appointments: list[Appointment] = []
        self._day_starts = datetime(today.year, today.month, today.day, tzinfo=HELSINKI)

    @property
    def enrolments(self) -> list[Enrolment]:
        return [case.enrolment for case in self.cases]

    @property
    def visits(self) -> list[_Visit]:
        return [visit for case in self.cases for visit in case.visits]

    @property
    def contacts(self) -> list[Contact]:
        return [visit.contact for visit in self.visits if visit.contact is not None]

    def appointments(self) -> list[Appointment]:
        """Every appointment, ready to insert: call once the clients have their ids (after a flush)."""
        # A group session's status is settled here, when all its members are known.
        for session in self.groups.values():
            self._settle_group(session)
        for appointment in self._appointments:
            for participant in appointment.participants:
                if participant.client is not None:
                    if participant.client.id is None:
                        raise RuntimeError("flush the clients before their appointments")
                    participant.person_key = f"c:{participant.client.id}"
        return list(self._appointments)

    def link_contacts(self) -> list[Contact]:
        """The contact records, each linked to its one-to-one appointment: call after the appointments' flush.

        A closed group's members' records stay unlinked (see ``_GroupSession``).
        """
        for visit in self.visits:
            if visit.contact is not None and visit.appointment.enrolment is not None:
                visit.contact.appointment_id = visit.appointment.id
        return self.contacts

    def enrol(self, client: Client, definition: ProgrammeDefinition, unit: OrgUnit, workers: list[User],
              fixed: FixedClient | None = None) -> Enrolment:
        """Enrol the client, write the history so far and a next appointment, then set status and phase."""
        rhythm = RHYTHMS.get(definition.seed or "", DEFAULT_RHYTHM)
        start = self.today - timedelta(days=fixed.started_days_ago) if fixed else self._start(definition)
        coordinator, deputy = self._responsible(workers, fixed)
        enrolment = Enrolment(client=client, programme_code=definition.code, unit=unit, start_on=start,
                              planned_end_on=_planned_end(definition, start), status=EnrolmentStatus.ACTIVE,
                              phase=definition.first_phase, coordinator=coordinator, deputy=deputy,
                              created_at=_at(start, 0))
        client.created_at = min(client.created_at or enrolment.created_at, enrolment.created_at)
        if client.user is not None:
            client.user.created_at = client.created_at
        end = None if fixed or rhythm.episode is None else self._episode_end(start, rhythm, definition)
        horizon = min(end or self.today + LOOKAHEAD, enrolment.planned_end_on or date.max)
        case = _Case(enrolment, definition, rhythm, client, *_pairs(definition, rhythm), horizon=horizon,
                     open_ended=fixed is not None)
        self.cases.append(case)
        limit = self._write_history(case)
        if rhythm.episode is None and not fixed:
            end = self._end_after_last(case)
        self._close(case, end, limit)
        if fixed and definition.phase(fixed.phase):
            enrolment.phase = fixed.phase
        if rhythm.own_team:
            self._own_team(case, workers)
        return enrolment

    def cover_every_modality(self) -> None:
        """Make sure each (contact type, modality) a programme offers has a contact record in the demo."""
        for code in sorted({case.definition.code for case in self.cases}):
            cases = [c for c in self.cases if c.definition.code == code and self._past_days(c) >= 7]
            # Prefer cases that already have several contacts, to leave single-contact shares alone.
            cases = [c for c in cases if len(c.visits) > 1] or cases
            seen = {(v.ctype.code, v.modality) for case in cases for v in case.visits if v.contact is not None}
            for ctype, modality in cases[0].pairs if cases else ():
                if (ctype.code, modality) not in seen:
                    self._add_somewhere(cases, (ctype, modality))

    def _add_somewhere(self, cases: list[_Case], pair: tuple[ContactType, Modality]) -> None:
        """A held contact on a past day of one of the cases; a few tries, as a day may not fit."""
        for _ in range(12):
            case = self.rng.choice(cases)
            start, days = case.enrolment.start_on, self._past_days(case)
            day = start + timedelta(days=self.rng.randint(0, days))
            if self._add(case, day, pair, must_hold=True, horizon=start + timedelta(days=days), exact=True):
                return

    def _past_days(self, case: _Case) -> int:
        """Days from the start to the day before the end (or before today): where past contacts fit."""
        last = min(case.enrolment.ended_on or self.today, self.today) - timedelta(days=1)
        return (last - case.enrolment.start_on).days

    def _start(self, definition: ProgrammeDefinition) -> date:
        """Spread over the past year in strata, so that every programme has new and long-standing clients.

        A programme of short services (004: one to four contacts) would have almost nobody ongoing on the demo's
        day: a share of its clients started in the last three weeks (an own generator, so the rest of the
        county is dealt as before)."""
        rhythm = RHYTHMS.get(definition.seed or "", DEFAULT_RHYTHM)
        recent = random.Random(f"recent-{definition.code}-{len(self.cases)}")
        if rhythm.recent_share and recent.random() < rhythm.recent_share:
            return self.today - timedelta(days=recent.randint(1, 20))
        stratum = self.decks.draw((definition.code, "start"), range(12))
        return self.today - timedelta(days=3 + int((stratum + self.rng.random()) * 362 / 12))

    def _responsible(self, workers: list[User], fixed: FixedClient | None) -> tuple[User, User | None]:
        if fixed:
            return self.staff[fixed.coordinator], self.staff.get(fixed.deputy or "")
        coordinator = self.rng.choice(workers)
        others = [w for w in workers if w is not coordinator]
        # Many, not all, have a named deputy (a second worker who knows the client).
        deputy = self.rng.choice(others) if others and self.rng.random() < 0.6 else None
        return coordinator, deputy

    def _episode_end(self, start: date, rhythm: Rhythm, definition: ProgrammeDefinition) -> date | None:
        length = self.rng.randint(*rhythm.episode)
        if definition.intensity.max_duration_days:
            length = min(length, definition.intensity.max_duration_days)
        end = start + timedelta(days=length)
        return end if end < self.today else None

    def _write_history(self, case: _Case) -> int | None:
        """Meetings from the start up to the horizon; returns the meeting count drawn, if there is one."""
        rng, rhythm = self.rng, case.rhythm
        limit = None
        if rhythm.counts and not case.open_ended:
            limit = self.decks.draw((case.definition.code, "count"), rhythm.counts)
        day = case.enrolment.start_on
        while day <= case.horizon and (limit is None or len(case.visits) < limit):
            visit = self._add(case, day, self._next_pair(case), must_hold=not case.visits)
            day = (visit.day if visit else day) + timedelta(days=rng.choice(rhythm.gaps))
        going = case.horizon > self.today and (limit is None or len(case.visits) < limit)
        if going and all(v.contact is not None for v in case.visits):
            # So that the client's home page has a next meeting to show.
            self._add(case, self.today + timedelta(days=rng.randint(1, 10)), self._next_pair(case),
                      horizon=self.today + LOOKAHEAD + timedelta(days=7))
        return limit

    def _next_pair(self, case: _Case) -> tuple[ContactType, Modality]:
        n = len(case.visits)
        if n == 0:
            first = next((c for c in case.definition.contact_types if c.first_contact_modality), None)
            if first:
                return first, first.first_contact_modality
        opening = case.rhythm.opening[n] if n < len(case.rhythm.opening) else None
        return self._pick(case, opening)

    def _pick(self, case: _Case, only_type: str | None) -> tuple[ContactType, Modality]:
        offered = list(zip(case.pairs, case.weights, strict=True))
        candidates = [(p, w) for p, w in offered if only_type in (None, p[0].code)]
        remote_first = case.definition.intensity.remote_share_target is not None
        if remote_first and case.client.prefers_home_visits and self.rng.random() < 0.5:
            # "Remote is never mandatory": those who ask get a home visit wherever one is offered.
            candidates = [(p, w) for p, w in candidates if p[1] is Modality.HOME_VISIT] or candidates
        elif only_type is None or not candidates:
            # Dealt from a deck, so that even 50 contacts show the shares the seed text reports.
            cards = [pair for pair, weight in offered for _ in range(weight)]
            return self.decks.draw((case.definition.code, "pairs"), cards)
        pairs, weights = zip(*candidates, strict=True)
        return self.rng.choices(pairs, weights if any(weights) else None)[0]

    def _add(self, case: _Case, day: date, pair: tuple[ContactType, Modality], *, must_hold: bool = False,
             horizon: date | None = None, exact: bool = False) -> _Visit | None:
        """Book one meeting on the first workday from ``day`` with a free slot; None past the horizon.

        A closed group's meeting joins the coordinator's session of that day, in the session's
        modality (``exact``: only if that is the modality asked for).
        """
        ctype, modality = pair
        enrolment = case.enrolment
        worker = enrolment.coordinator  # each worker leads their own clients' closed group
        if not ctype.group and enrolment.deputy is not None and case.visits and self.rng.random() < 0.15:
            worker = enrolment.deputy
        for _ in range(3):
            day = _workday(day, ctype.group)
            if day > (horizon or case.horizon):
                return None
            status = self._status(case, day, modality, must_hold)
            if ctype.group:
                visit = self._join_group(case, worker, day, pair, status, exact)
                if visit is not None:
                    return visit
            else:
                # Other meetings than a closed group's run a little shorter or longer when held.
                held = status is ContactStatus.HELD
                minutes = _duration(self.rng, ctype) if held else ctype.default_minutes
                quarter = self._book(worker, case, day, max(minutes, ctype.default_minutes), modality)
                if quarter is not None:
                    return self._one_to_one(case, worker, pair, status, _at(day, quarter), minutes)
            day += timedelta(days=1)
        return None

    def _status(self, case: _Case, day: date, modality: Modality, must_hold: bool) -> ContactStatus | None:
        """What happened at a past meeting; None for one from today on (booked, nothing recorded yet)."""
        if day >= self.today:
            return None
        if must_hold or modality in WRITTEN:  # a message cannot be missed
            return ContactStatus.HELD
        cancelled, no_show = case.rhythm.missed
        draw = self.rng.random()
        if draw < cancelled:
            return ContactStatus.CANCELLED
        return ContactStatus.NO_SHOW if draw < cancelled + no_show else ContactStatus.HELD

    def _book(self, worker: User, case: _Case, day: date, minutes: int, modality: Modality) -> int | None:
        """A start quarter free for both the worker (with travel around a home visit) and the client, reserved.

        On a programme's group weekday the group's quarters stay free, whether its session is booked
        yet or not; the worker's travel must not cut into them either. A home visit starts and ends
        within the working day with the travel included.
        """
        group_time = _group_quarters(case.definition) if day.weekday() == GROUP_WEEKDAY else set()
        need = -(-minutes // 15)
        travel = _travel_quarters(modality)
        starts = range(travel, QUARTERS - need - travel + 1)
        for _ in range(12 if starts else 0):
            q = self.rng.choice(starts)
            own, away = range(q, q + need), range(q - travel, q + need + travel)
            if group_time.intersection(away):
                continue
            if self._free(worker.email, day, away) and self._free(case.client, day, own):
                self._take(worker.email, day, away)
                self._take(case.client, day, own)
                return q
        return None

    def _free(self, person: str | Client, day: date, quarters) -> bool:
        return all((person, day, q) not in self.busy for q in quarters)

    def _take(self, person: str | Client, day: date, quarters) -> None:
        self.busy.update((person, day, q) for q in quarters)

    def _one_to_one(self, case: _Case, worker: User, pair: tuple[ContactType, Modality],
                    status: ContactStatus | None, starts: datetime, minutes: int) -> _Visit:
        ctype, modality = pair
        ends = starts + timedelta(minutes=minutes)
        created = self._created(case, starts)
        if status is not None:
            state = RECORDED[status]
        elif case.client.user is not None and self.rng.random() < 0.5:
            state = AppointmentStatus.CONFIRMED  # clients with a login confirm some in the portal
        else:
            state = AppointmentStatus.BOOKED
        appointment = Appointment(
            programme_code=case.definition.code, enrolment=case.enrolment, contact_type=ctype.code,
            modality=modality, status=state, starts_at=starts,
            ends_at=ends, place=self._place(case, modality), travel_minutes=_travel_quarters(modality) * 15,
            organizer=worker, created_at=created,
        )
        if status is ContactStatus.CANCELLED:
            hours = self.rng.choice((1, 3, 18, 24, 26, 48, 96))
            appointment.cancelled_at = max(created, starts - timedelta(hours=hours))
            appointment.cancel_reason = self.rng.choice(CANCEL_REASONS)
        blocking = status is not ContactStatus.CANCELLED
        appointment.participants = [_host(appointment, worker, blocking),
                                    _client(appointment, case.client, blocking)]
        self._appointments.append(appointment)
        return self._visit(case, worker, (ctype, modality), status, appointment, minutes)

    def _join_group(self, case: _Case, worker: User, day: date, pair: tuple[ContactType, Modality],
                    status: ContactStatus | None, exact: bool) -> _Visit | None:
        """The client joins the worker's closed-group session of that day (opened if it is not yet)."""
        ctype, modality = pair
        quarters = _group_quarters(case.definition)
        if not self._free(case.client, day, quarters):
            return None
        key = (case.definition.code, worker.email, day)
        session = self.groups.get(key)
        if session is None:
            if not self._free(worker.email, day, quarters):
                return None
            starts = _at(day, GROUP_QUARTER)
            # Status, cancellation and the host's blocking are settled when every member is known.
            appointment = Appointment(
                programme_code=case.definition.code, enrolment=None, contact_type=ctype.code, modality=modality,
                status=AppointmentStatus.BOOKED, starts_at=starts,
                ends_at=starts + timedelta(minutes=ctype.default_minutes),
                place=self._place(case, modality), travel_minutes=0, organizer=worker,
                created_at=self._created(case, starts),
            )
            appointment.participants = [_host(appointment, worker, True)]
            self._take(worker.email, day, quarters)
            self._appointments.append(appointment)
            session = self.groups[key] = _GroupSession(appointment)
        elif exact and session.appointment.modality is not modality:
            return None
        appointment = session.appointment
        appointment.created_at = min(appointment.created_at, self._created(case, appointment.starts_at))
        self._take(case.client, day, quarters)
        appointment.participants.append(_client(appointment, case.client, status is not ContactStatus.CANCELLED))
        # A closed group keeps its fixed time: members' records have the session's times and modality.
        visit = self._visit(case, worker, (ctype, appointment.modality), status, appointment, ctype.default_minutes)
        session.members.append(visit)
        return visit

    def _settle_group(self, session: _GroupSession) -> None:
        """A past session was held if anyone came; not held if all who did not come had said so first."""
        appointment, records = session.appointment, [v.contact for v in session.members]
        if any(record is None for record in records):
            return  # ahead: booked
        statuses = {record.status for record in records}
        if ContactStatus.HELD in statuses:
            appointment.status = AppointmentStatus.HELD
        elif ContactStatus.NO_SHOW in statuses:
            appointment.status = AppointmentStatus.NO_SHOW
        else:
            appointment.status = AppointmentStatus.CANCELLED
            appointment.cancelled_at = max(appointment.created_at, appointment.starts_at - timedelta(days=1))
            appointment.cancel_reason = GROUP_CANCEL_REASON
            appointment.participants[0].blocking = False  # the host; the members were not blocking already

    def _visit(self, case: _Case, worker: User, pair: tuple[ContactType, Modality], status: ContactStatus | None,
               appointment: Appointment, minutes: int) -> _Visit:
        ctype, modality = pair
        starts = appointment.starts_at
        contact = None
        if status is not None:
            held = status is ContactStatus.HELD
            support = self._support(case.definition) if held else []
            tracks_remote = case.definition.intensity.remote_share_target is not None
            worked = self._worked_remotely(support) if held and modality.remote and tracks_remote else None
            contact = Contact(enrolment=case.enrolment, worker=worker, contact_type=ctype.code, modality=modality,
                              status=status, starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                              duration_minutes=minutes if held else None, support_types=support,
                              worked_remotely=worked,
                              created_at=max(starts - timedelta(days=7), case.enrolment.created_at))
        visit = _Visit(ctype, modality, starts, appointment, contact)
        case.visits.append(visit)
        return visit

    def _created(self, case: _Case, starts: datetime) -> datetime:
        """Booked about a week ahead, not before the enrolment, and never later than today."""
        return min(max(starts - timedelta(days=7), case.enrolment.created_at), self._day_starts)

    @staticmethod
    def _place(case: _Case, modality: Modality) -> str | None:
        if modality is Modality.HOME_VISIT:
            return case.client.address
        if modality is Modality.RECEPTION:
            return case.enrolment.unit.name_fi
        return None

    def _support(self, definition: ProgrammeDefinition) -> list[str]:
        """One to three kinds of support given, the everyday ones most often."""
        codes = [s.code for s in definition.support_types]
        if not codes:
            return []
        pool = {code: SUPPORT_WEIGHTS.get(code, 2) for code in codes}
        chosen = []
        for _ in range(min(len(codes), self.rng.choice((1, 1, 2, 2, 2, 3)))):
            pick = self.rng.choices(list(pool), list(pool.values()))[0]
            chosen.append(pick)
            del pool[pick]
        return [code for code in codes if code in chosen]

    def _worked_remotely(self, support: list[str]) -> bool:
        # Hands-on help (cleaning, cooking) is what seed 000 found hardest to give remotely.
        hands_on = bool({"cleaning", "cooking"}.intersection(support))
        return self.rng.random() < (0.5 if hands_on else 0.9)

    def _end_after_last(self, case: _Case) -> date | None:
        """Enrolments without a fixed length end a few days after their last meeting, if that is past."""
        if not case.visits:
            return None
        last = max(v.day for v in case.visits)
        end = last + timedelta(days=self.rng.randint(0, 10))
        return end if end < self.today else None

    def _close(self, case: _Case, end: date | None, limit: int | None) -> None:
        enrolment, phases = case.enrolment, [p.code for p in case.definition.phases]
        if end is not None:
            enrolment.status, enrolment.ended_on, enrolment.phase = EnrolmentStatus.ENDED, end, phases[-1]
            return
        if case.rhythm.episode or not limit:
            progress = (self.today - enrolment.start_on).days / (case.rhythm.episode or DEFAULT_RHYTHM.episode)[1]
        else:
            progress = sum(v.contact is not None for v in case.visits) / limit
        enrolment.phase = phases[_phase_index(progress, len(phases))]

    def _own_team(self, case: _Case, workers: list[User]) -> None:
        """The client's own team: the coordinator, colleagues of the unit, workers from other programmes."""
        enrolment = case.enrolment
        team = {enrolment.coordinator.email: (enrolment.coordinator, "hoitovastaava")}
        for worker in workers:  # multidisciplinary: the unit's social worker and psychiatric nurse alike
            team.setdefault(worker.email, (worker, worker.title or "työntekijä"))
        for other in self.cases:
            if other.client is case.client and other is not case and other.enrolment.coordinator.email not in team:
                team[other.enrolment.coordinator.email] = (
                    other.enrolment.coordinator, f"omatyöntekijä ({other.enrolment.unit.name_fi})")
        enrolment.team = [TeamMember(user=user, team_role=role) for user, role in team.values()]


def _host(appointment: Appointment, worker: User, blocking: bool) -> Participant:
    """The worker who holds the meeting: busy for its time and the travel each side of a home visit."""
    travel = timedelta(minutes=appointment.travel_minutes)
    return Participant(role=ParticipantRole.HOST, user=worker, person_key=f"u:{worker.id}",
                       busy_from=appointment.starts_at - travel, busy_until=appointment.ends_at + travel,
                       blocking=blocking)


def _client(appointment: Appointment, client: Client, blocking: bool) -> Participant:
    """The client, busy for the meeting's own time; ``person_key`` is set once the client has an id."""
    return Participant(role=ParticipantRole.CLIENT, client=client, busy_from=appointment.starts_at,
                       busy_until=appointment.ends_at, blocking=blocking)


def _travel_quarters(modality: Modality) -> int:
    return TRAVEL_MINUTES // 15 if modality is Modality.HOME_VISIT else 0


SUPPORT_WEIGHTS = {"daily-routines": 6, "money": 5, "benefits": 5, "housing": 3, "health": 4,
                   "social-relations": 3, "digital-skills": 3, "cleaning": 2, "cooking": 2}


def _pairs(definition: ProgrammeDefinition, rhythm: Rhythm) -> tuple[list, list[int]]:
    """Every (contact type, modality) the definition offers, weighted by the rhythm's mix."""
    pairs = [(c, m) for c in definition.contact_types for m in c.modalities]
    weights = [rhythm.mix.get((c.code, m.value), 0) for c, m in pairs]
    return pairs, weights if any(weights) else [1] * len(pairs)


def _phase_index(progress: float, count: int) -> int:
    """A short first phase (the first tenth), a closing phase at the end, the middle ones in between."""
    if count == 1 or progress < 0.1:
        return 0
    if progress >= 0.85:
        return count - 1
    return min(count - 1, 1 + int((progress - 0.1) / 0.75 * max(1, count - 2)))


def _group_quarters(definition: ProgrammeDefinition) -> set[int]:
    """The quarters a programme's closed groups take on their weekday (none if it has no groups)."""
    minutes = max((c.default_minutes for c in definition.contact_types if c.group), default=0)
    return set(range(GROUP_QUARTER, GROUP_QUARTER + -(-minutes // 15)))


def _planned_end(definition: ProgrammeDefinition, start: date) -> date | None:
    days = definition.intensity.max_duration_days
    return start + timedelta(days=days) if days else None


def _workday(day: date, group: bool) -> date:
    if group:  # a closed group meets on its own weekday
        day += timedelta(days=(GROUP_WEEKDAY - day.weekday()) % 7)
    while day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS:
        day += timedelta(days=7 if group else 1)
    return day


def _duration(rng: random.Random, ctype: ContactType) -> int:
    """Minutes held: near the default; short slots tend to run over (seed 001's decision meeting)."""
    bias = 3 if ctype.default_minutes <= 15 else 0
    spread = max(2.0, ctype.default_minutes * 0.15)
    return max(5, min(720, round(rng.gauss(ctype.default_minutes + bias, spread))))


def _at(day: date, quarter: int) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=HELSINKI) + timedelta(minutes=15 * quarter)
