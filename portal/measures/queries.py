"""Reads: what is due (for the client's home page, the caseload, the video waiting room), answers, series."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from flask import url_for
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session, lazyload

from portal import signals
from portal.db import read, utcnow
from portal.extensions import db
from portal.measures import fit, instruments, schedule, scoring
from portal.measures.models import Answer, AnswerStatus, InstrumentVersion, MeasureSettings
from portal.people.models import Client
from portal.people.permissions import enrolments_visible_to
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus
from portal.scheduling.timeutil import local_date

MEETING_STATUSES = (*ACTIVE_STATUSES, AppointmentStatus.HELD)


@dataclass(frozen=True)
class DueItem:
    enrolment: Enrolment
    occurrence: schedule.Occurrence
    has_draft: bool
    meeting_at: datetime | None

    @property
    def url(self) -> str:
        return url_for("measures.answer", enrolment_id=self.enrolment.id, code=self.occurrence.instrument,
                       key=self.occurrence.key)

    @property
    def enter_url(self) -> str:
        return url_for("measures.enter", enrolment_id=self.enrolment.id, code=self.occurrence.instrument,
                       key=self.occurrence.key)


def enrolment_facts(enrolment: Enrolment) -> schedule.EnrolmentFacts:
    return schedule.EnrolmentFacts(enrolment.id, enrolment.start_on, enrolment.ended_on or enrolment.planned_end_on,
                                   enrolment.status is EnrolmentStatus.ENDED)


def meetings_of(enrolment: Enrolment, now: datetime | None = None) -> list[schedule.MeetingFacts]:
    """The one-to-one appointments of the enrolment that are or were going to happen. Given ``now``, a
    meeting under way that already ended for the client (they left the call) says when."""
    meetings = [schedule.MeetingFacts(*row) for row in read(_meetings_statement(), {"enrolment_id": enrolment.id})]
    under_way = [m.appointment_id for m in meetings if now is not None and m.starts_at <= now < m.ends_at]
    if not under_way:
        return meetings
    ended: dict[int, datetime] = {}
    for _receiver, found in signals.meeting_over.send(enrolment.client_id, appointments=under_way):
        ended.update(found or {})
    return [replace(m, ended_at=ended[m.appointment_id]) if m.appointment_id in ended else m for m in meetings]


@cache
def _meetings_statement() -> Select:
    """Built once per process: the client's home page asks it for each service (what questionnaire is due)."""
    return (select(Appointment.id, Appointment.starts_at, Appointment.ends_at)
            .where(Appointment.enrolment_id == bindparam("enrolment_id"), Appointment.status.in_(MEETING_STATUSES))
            .order_by(Appointment.starts_at))


def _installed(occurrences: list[schedule.Occurrence]) -> list[schedule.Occurrence]:
    """Only instruments this installation has a definition for (a programme may name others)."""
    return [o for o in occurrences if instruments.current(o.instrument) is not None]


def occurrences(enrolment: Enrolment, now: datetime, *, open_only: bool) -> list[schedule.Occurrence]:
    definition = registry.definition(enrolment.programme_code)
    if definition is None:
        return []
    facts, meetings = enrolment_facts(enrolment), meetings_of(enrolment, now)
    if open_only:
        return _installed(schedule.open_occurrences(definition, facts, meetings, now))
    return _installed(schedule.all_occurrences(definition, facts, meetings, local_date(now)))


def find_occurrence(enrolment: Enrolment, code: str, key: str, now: datetime,
                    *, open_only: bool) -> schedule.Occurrence | None:
    """The occurrence named by the URL, if the programme defines it (and it is open, for clients)."""
    return next((o for o in occurrences(enrolment, now, open_only=open_only)
                 if o.instrument == code and o.key == key), None)


def answer_for(enrolment_id: int, code: str, key: str) -> Answer | None:
    return db.session.scalar(select(Answer).where(
        Answer.enrolment_id == enrolment_id, Answer.instrument_code == code, Answer.occurrence == key))


def _status_by_occurrence(enrolment_ids: list[int]) -> dict[tuple[int, str, str], AnswerStatus]:
    rows = read(_status_statement(), {"enrolment_ids": list(enrolment_ids)})
    return {(e, c, k): s for e, c, k, s in rows}


@cache
def _status_statement() -> Select:
    return select(Answer.enrolment_id, Answer.instrument_code, Answer.occurrence, Answer.status).where(
        Answer.enrolment_id.in_(bindparam("enrolment_ids", expanding=True)))


def _due(enrolments: list[Enrolment], now: datetime, appointment_id: int | None = None) -> list[DueItem]:
    statuses = _status_by_occurrence([e.id for e in enrolments])
    due = []
    for enrolment in enrolments:
        for occurrence in occurrences(enrolment, now, open_only=True):
            status = statuses.get((enrolment.id, occurrence.instrument, occurrence.key))
            if status is AnswerStatus.SUBMITTED:
                continue
            if appointment_id is not None and occurrence.appointment_id != appointment_id:
                continue
            due.append((enrolment, occurrence, status))
    starts = _starts({o.appointment_id for _e, o, _s in due if o.appointment_id})
    return [DueItem(enrolment, occurrence, status is AnswerStatus.DRAFT, starts.get(occurrence.appointment_id))
            for enrolment, occurrence, status in due]


def _starts(appointment_ids: set[int]) -> dict[int, datetime]:
    """The start times of the due occurrences' appointments, in one query (not one per appointment)."""
    if not appointment_ids:
        return {}
    return dict(db.session.execute(select(Appointment.id, Appointment.starts_at)
                                   .where(Appointment.id.in_(appointment_ids))).all())


def due_for_client(client: Client, now: datetime | None = None,
                   enrolments: list[Enrolment] | None = None) -> list[DueItem]:
    """What the client may answer now, over their ongoing enrolments and those that ended recently enough
    for their "at the end" questionnaires to be open (``schedule.AROUND_POINT``).

    ``enrolments``: all of the client's enrolments when the page has them already (the home page), so they
    are not asked again."""
    now = now or utcnow()
    recent = local_date(now) - schedule.AROUND_POINT[1]
    if enrolments is None:
        enrolments = list(db.session.scalars(select(Enrolment).where(
            Enrolment.client_id == client.id,
            or_(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.ended_on >= recent))
            .options(lazyload(Enrolment.team))))  # the team is not needed to know what is due
    else:
        enrolments = [e for e in enrolments if e.client_id == client.id and (
            e.status is EnrolmentStatus.ACTIVE or (e.ended_on is not None and e.ended_on >= recent))]
    return [item for item in _due(sorted(enrolments, key=lambda e: e.id), now)
            if item.enrolment.status is EnrolmentStatus.ACTIVE or item.occurrence.key == schedule.END_KEY]


def due_for_enrolment(enrolment: Enrolment, now: datetime | None = None) -> list[DueItem]:
    return _due([enrolment], now or utcnow())


def due_for_meeting(session: Session, enrolment: Enrolment, appointment: Appointment,
                    now: datetime | None = None) -> list[DueItem]:
    """The questionnaires open for this meeting (ORS before, SRS after): for the waiting room and the
    post-call page. Each item's ``url`` is the ``measures.answer`` page of that occurrence."""
    # ``session`` is the caller's (the request's) session, which is also db.session here.
    return _due([enrolment], now or utcnow(), appointment_id=appointment.id)


def submitted_answers(enrolment_id: int, code: str | None = None) -> list[Answer]:
    query = select(Answer).where(Answer.enrolment_id == enrolment_id, Answer.status == AnswerStatus.SUBMITTED)
    if code:
        query = query.where(Answer.instrument_code == code)
    return list(db.session.scalars(query.order_by(Answer.answered_on, Answer.id)))


def answers_of_client(client_id: int) -> list[Answer]:
    return list(db.session.scalars(select(Answer).where(
        Answer.client_id == client_id, Answer.status == AnswerStatus.SUBMITTED,
    ).order_by(Answer.answered_on, Answer.id)))


def instrument_versions() -> list[InstrumentVersion]:
    return list(db.session.scalars(
        select(InstrumentVersion).order_by(InstrumentVersion.code, InstrumentVersion.version)))


def client_sees_fit_graph(enrolment_id: int) -> bool:
    settings = db.session.get(MeasureSettings, enrolment_id)
    return settings is None or settings.client_sees_fit_graph


def fit_points(enrolment_id: int) -> list[fit.Point]:
    """ORS and SRS totals per meeting, in meeting order (meetings with neither are left out)."""
    rows = db.session.execute(
        select(Appointment.id, Appointment.starts_at, Answer.instrument_code, Answer.total)
        .join(Answer, Answer.appointment_id == Appointment.id)
        .where(Answer.enrolment_id == enrolment_id, Answer.status == AnswerStatus.SUBMITTED,
               Answer.instrument_code.in_(("ors", "srs")))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    by_meeting: dict[int, dict] = {}
    for appointment_id, starts_at, code, total in rows:
        by_meeting.setdefault(appointment_id, {"at": starts_at})[code] = total
    return [fit.Point(m["at"], m.get("ors"), m.get("srs")) for m in by_meeting.values()]


@dataclass(frozen=True)
class ItemChange:
    code: str
    text: str
    start: int | None
    follow_up: int | None
    start_band: object
    follow_up_band: object


@dataclass(frozen=True)
class Comparison:
    """3X10D at the start against the follow-up (six months, or the end if earlier)."""

    start: Answer | None
    follow_up: Answer | None
    items: list[ItemChange]
    start_mean: float | None
    follow_up_mean: float | None
    change_percent: float | None


def tenx_comparison(enrolment_id: int, locale: str) -> Comparison | None:
    answers = {a.occurrence: a for a in submitted_answers(enrolment_id, "3x10d")}
    if not answers:
        return None
    start = answers.get("start")
    follow = next((a for key, a in sorted(answers.items(), reverse=True) if key != "start"), None)
    definition = (start or follow).instrument.parsed
    items = [ItemChange(i.code, i.text.get(locale), _value(start, i.code), _value(follow, i.code),
                        scoring.band(definition, _value(start, i.code)),
                        scoring.band(definition, _value(follow, i.code))) for i in definition.scored_items]
    # 3X10D has no total score; what seed 002 follows is the mean of the items, computed here from the values.
    start_mean, follow_mean = (scoring.item_mean(start.instrument.parsed, start.values) if start else None,
                               scoring.item_mean(follow.instrument.parsed, follow.values) if follow else None)
    return Comparison(start, follow, items, start_mean, follow_mean, scoring.percent_change(start_mean, follow_mean))


def _value(answer: Answer | None, code: str):
    return None if answer is None else answer.values.get(code)


def answers_for_export(user, programme_code: str) -> list[Answer]:
    """Submitted answers in one programme, of the enrolments the user may see (people/permissions.py)."""
    visible = enrolments_visible_to(user).where(Enrolment.programme_code == programme_code)
    ids = visible.with_only_columns(Enrolment.id)
    # Confidential feedback about the service leaves Silta only as the reports' aggregates.
    return list(db.session.scalars(select(Answer).where(Answer.enrolment_id.in_(ids),
                                                        Answer.status == AnswerStatus.SUBMITTED,
                                                        Answer.instrument_code.not_in(instruments.confidential_codes()))
                                   .order_by(Answer.enrolment_id, Answer.answered_on, Answer.id)))


def fresh_ors(enrolment: Enrolment, appointment: Appointment) -> Answer | None:
    """The ORS the client gave for this meeting (for the worker's waiting-room view), if submitted."""
    answer = answer_for(enrolment.id, "ors", f"appt-{appointment.id}")
    return answer if answer is not None and answer.submitted else None


def uses_measures(client: Client, enrolments: list[Enrolment] | None = None) -> bool:
    """Whether any of the client's ongoing programmes asks questionnaires (else the home page says nothing);
    ``enrolments`` as in ``due_for_client``."""
    if enrolments is None:
        codes = db.session.scalars(select(Enrolment.programme_code).where(
            Enrolment.client_id == client.id, Enrolment.status == EnrolmentStatus.ACTIVE))
    else:
        codes = [e.programme_code for e in enrolments
                 if e.client_id == client.id and e.status is EnrolmentStatus.ACTIVE]
    return any((d := registry.definition(code)) is not None and (d.measures or d.feedback) for code in codes)
