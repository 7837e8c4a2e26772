"""Demo answers for the seeded history, so that FIT graphs, 3X10D change and feedback look like real work.

ORS follows a per-client course from an intake score (most improve, some stay flat, a few get worse),
SRS stays high with the odd dip; 3X10D rises about a quarter from start to six months (seed 002 reached
23.19 %); feedback is mostly positive (97.6 % satisfied, 90.5 % helped toward goals). Occurrences open
today are left unanswered, so the demo clients have something due. Deterministic: every choice comes
from the seeder's ``random.Random``; the only clock is ``today``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.measures import schedule, scoring
from portal.measures.definitions_schema import InstrumentDefinition, ItemType
from portal.measures.instruments import DEFAULT_DIR, load_definitions
from portal.measures.models import Answer, AnswerSource, AnswerStatus, InstrumentVersion
from portal.programmes.definitions_schema import Modality, ProgrammeDefinition
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import Appointment, AppointmentStatus
from portal.scheduling.timeutil import local

SKIP_SRS = 0.08  # a few meetings without SRS (the client left in a hurry): entry links for the worker
YEARLY_ANSWERED_EARLY = 0.9  # yearly surveys open for a week or more: answered in their first week


def seed_measures(session: Session, definitions: dict[str, ProgrammeDefinition], enrolments: list[Enrolment],
                  appointments: list[Appointment], today: date, rng: random.Random) -> int:
    """Add the answers and flush; returns how many were added."""
    versions = _versions(session)
    now = local(today, time(12))
    meetings = _meetings_by_enrolment(appointments)
    added = 0
    for enrolment in sorted(enrolments, key=lambda e: e.id):
        definition = definitions.get(enrolment.programme_code)
        if definition is None or not (definition.measures or definition.feedback):
            continue
        writer = _Writer(session, versions, enrolment, rng, now)
        facts = schedule.EnrolmentFacts(enrolment.id, enrolment.start_on,
                                        enrolment.ended_on or enrolment.planned_end_on,
                                        enrolment.status is EnrolmentStatus.ENDED)
        found = schedule.all_occurrences(definition, facts, meetings.get(enrolment.id, []), today)
        added += writer.write([o for o in found if o.instrument in versions and _answered_by_now(o, now, rng)])
    session.flush()
    return added


def _answered_by_now(occurrence: schedule.Occurrence, now: datetime, rng: random.Random) -> bool:
    """Closed occurrences were answered (or missed: see SKIP_SRS); open ones are left for the client, except
    that half of the SRS of meetings already held (open for a week after) are answered already, and so are
    most yearly surveys open for a week or more (the reports' satisfaction figure has this year's answers)."""
    if not occurrence.open_at(now):
        return True
    if occurrence.instrument == "satisfaction-survey" and occurrence.opens_at <= now - timedelta(days=7):
        return rng.random() < YEARLY_ANSWERED_EARLY
    return occurrence.instrument == "srs" and rng.random() < 0.5


def _versions(session: Session) -> dict[str, InstrumentVersion]:
    """The newest shipped version of each instrument, as a database row (made here on a bare database)."""
    newest: dict[str, tuple[InstrumentDefinition, str]] = {}
    for (code, version), loaded in load_definitions(DEFAULT_DIR).items():
        if code not in newest or newest[code][0].version < version:
            newest[code] = (loaded.definition, loaded.checksum)
    rows = {}
    for code, (definition, checksum) in newest.items():
        row = session.scalar(select(InstrumentVersion).where(InstrumentVersion.code == code,
                                                             InstrumentVersion.version == definition.version))
        if row is None:
            row = InstrumentVersion(code=code, version=definition.version, checksum=checksum,
                                    definition=definition.model_dump(mode="json"))
            session.add(row)
        rows[code] = row
    session.flush()
    return rows


def _meetings_by_enrolment(appointments: list[Appointment]) -> dict[int, list[schedule.MeetingFacts]]:
    found: dict[int, list[schedule.MeetingFacts]] = {}
    for a in sorted(appointments, key=lambda a: a.starts_at):
        if a.enrolment_id is not None and a.status is AppointmentStatus.HELD:
            found.setdefault(a.enrolment_id, []).append(schedule.MeetingFacts(a.id, a.starts_at, a.ends_at))
    return found


class _Writer:
    """One enrolment's answers, with its client's own course over time."""

    def __init__(self, session, versions, enrolment: Enrolment, rng: random.Random, now: datetime):
        self.session, self.versions, self.enrolment, self.rng, self.now = session, versions, enrolment, rng, now
        self.ors_intake = min(34.0, max(6.0, rng.gauss(19, 5)))
        kind = rng.random()
        # Most improve (and level off), some stay where they were, a few get worse for a while.
        self.ors_course = rng.uniform(6, 12) if kind < 0.6 else rng.uniform(-2, 2) if kind < 0.85 \
            else -rng.uniform(5, 8)
        self.ors_meetings = 0
        self.srs_level = rng.uniform(35.5, 39.5)
        self.tenx_start = [min(10, max(0, round(rng.gauss(5, 1.8)))) for _ in range(10)]

    def write(self, occurrences: list[schedule.Occurrence]) -> int:
        count = 0
        for occurrence in occurrences:
            if occurrence.instrument == "srs" and self.rng.random() < SKIP_SRS:
                continue
            values = self._values(occurrence)
            if values is not None:
                self._add(occurrence, values)
                count += 1
        return count

    def _values(self, occurrence: schedule.Occurrence) -> dict | None:
        definition = self.versions[occurrence.instrument].parsed
        if occurrence.instrument == "ors":
            self.ors_meetings += 1
            progress = 1 - 0.75 ** (self.ors_meetings - 1)  # most of the change comes in the first meetings
            level = self.ors_intake + self.ors_course * progress + self.rng.gauss(0, 1.3)
            return self._lines(definition, min(37.0, max(3.0, level)))
        if occurrence.instrument == "srs":
            return self._lines(definition, min(40.0, self.srs_level + self.rng.gauss(0, 0.9)))
        if occurrence.instrument == "3x10d":
            rise = 0 if occurrence.key == "start" else 1
            return {item.code: min(10, max(0, start + rise * round(self.rng.gauss(1.2, 1.1))))
                    for item, start in zip(definition.items, self.tenx_start, strict=True)}
        if self.rng.random() < 0.25:
            return None  # not everyone answers feedback
        return self._feedback(definition)

    def _lines(self, definition: InstrumentDefinition, total: float) -> dict:
        return {item.code: round(min(10.0, max(0.0, total / 4 + self.rng.gauss(0, 0.7))), 1)
                for item in definition.items}

    def _feedback(self, definition: InstrumentDefinition) -> dict:
        chances = {"satisfied": 0.976, "helped-toward-goals": 0.905, "remote-works": 0.85}
        values: dict = {}
        for item in definition.items:
            if item.type is ItemType.YES_NO:
                values[item.code] = self.rng.random() < chances.get(item.code, 0.9)
            elif item.type is ItemType.CHOICE:
                values[item.code] = self.rng.choice((3, 4, 4, 5, 5, 5))
        return values

    def _add(self, occurrence: schedule.Occurrence, values: dict) -> None:
        version = self.versions[occurrence.instrument]
        at = self._answered_at(occurrence)
        user = self.enrolment.client.user
        source = AnswerSource.CLIENT if user is not None and self.rng.random() < 0.9 else AnswerSource.PAPER
        if source is AnswerSource.CLIENT and occurrence.appointment_id and self._by_phone(occurrence):
            source = AnswerSource.PHONE
        if version.parsed.confidential:
            source = AnswerSource.CLIENT  # feedback about the service: only the client answers it, never a worker
        entered_by = user if source is AnswerSource.CLIENT else self.enrolment.coordinator
        self.session.add(Answer(
            enrolment_id=self.enrolment.id, client_id=self.enrolment.client_id, instrument=version,
            instrument_code=occurrence.instrument, occurrence=occurrence.key, appointment_id=occurrence.appointment_id,
            status=AnswerStatus.SUBMITTED, source=source, values=values,
            total=scoring.total(version.parsed, values), answered_on=at, submitted_at=at, created_at=at, updated_at=at,
            entered_by_id=entered_by.id if entered_by is not None else None))

    def _answered_at(self, occurrence: schedule.Occurrence) -> datetime:
        if occurrence.appointment_id is not None:
            meeting = self.session.get(Appointment, occurrence.appointment_id)
            moment = meeting.starts_at - timedelta(minutes=5) if occurrence.instrument == "ors" else meeting.ends_at
        else:
            moment = occurrence.opens_at + timedelta(days=self.rng.randint(0, 6), hours=10)
        return min(moment, self.now)

    def _by_phone(self, occurrence: schedule.Occurrence) -> bool:
        meeting = self.session.get(Appointment, occurrence.appointment_id)
        return meeting.modality is Modality.PHONE
