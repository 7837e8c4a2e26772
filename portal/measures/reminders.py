"""Reminders of questionnaires that are open and unanswered, sent with the scheduling notifications.

What is reminded: the questionnaires that do not belong to a meeting — 3X10D at the start and at six
months, written feedback, the feedback periods and the yearly survey — and the SRS after a phone, home
or office meeting (a video meeting asks it on the call page's end). ORS before a meeting needs no
message of its own: the appointment reminder brings the client to Silta, and the waiting room asks it.

One message per questionnaire occurrence (the outbox's dedupe key), in the client's language, by
their preferred channel; the message links to that questionnaire — a link that opens it once without
signing in (links.py, with one reminder of its own on day 2), or its page in Silta for a client without
an account — and says only that there is a questionnaire (or feedback about the service), never which one
or any answer. An occurrence a worker already sent a link for is left to that link's reminder. Messages go
out in daytime only (Helsinki 9–19).
The scan runs once an hour (the first job run after the full hour), not at every job tick.

The scan is set-based, so its cost does not grow by queries per enrolment: four queries find what is
due for every active enrolment at once (the enrolments, the meetings whose SRS is worth a message,
the answers already submitted for those occurrences, the reminders already queued), and the
occurrence windows are worked out by the same plain-Python schedule the pages use (schedule.py), so
the reminder and the home page can never disagree about what is open. bench/measures.py times it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import _
from portal.measures import instruments, links, schedule
from portal.measures.models import Answer, AnswerStatus
from portal.measures.queries import MEETING_STATUSES
from portal.notifications import operations as notifications
from portal.notifications.models import OutboxMessage
from portal.people.models import Client
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import Appointment
from portal.scheduling.timeutil import as_helsinki

ANSWER_PATH = "/me/measures/{enrolment}/{code}/{key}"  # the answer page (measures.answer)
DAYTIME = range(9, 19)  # Helsinki hours in which questionnaire reminders are queued
SCAN_MINUTES = 2  # the first job runs of each hour scan (the in-process runner ticks every 30 s)
CHUNK = 500  # keys per IN (...) list: well under every database's bound-parameter limit


@dataclass(frozen=True)
class Reminder:
    """One open, unanswered, not yet reminded occurrence of one client's enrolment."""

    enrolment_id: int
    client_id: int
    occurrence: schedule.Occurrence

    @property
    def dedupe_key(self) -> str:
        return f"measure:{self.enrolment_id}:{self.occurrence.instrument}:{self.occurrence.key}"


def queue_questionnaire_reminders(now: datetime) -> int:
    """Queue reminders for open, unanswered questionnaires; returns how many were queued."""
    local = as_helsinki(now)
    if local.hour not in DAYTIME or local.minute >= SCAN_MINUTES:
        return 0
    reminders = due_reminders(now)
    clients = _clients({r.client_id for r in reminders})
    return sum(_queue(clients[r.client_id], r, now) for r in reminders)


def due_reminders(now: datetime) -> list[Reminder]:
    """Every reminder that should go out now, over all active enrolments (a fixed number of queries)."""
    codes = [code for code, loaded in registry.loaded().items()
             if loaded.definition.measures or loaded.definition.feedback]
    if not codes:
        return []
    active = (Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.programme_code.in_(codes))
    meetings, video = _srs_meetings(now, active)
    candidates = [Reminder(row.id, row.client_id, occurrence)
                  for row in db.session.execute(select(
                      Enrolment.id, Enrolment.client_id, Enrolment.programme_code, Enrolment.start_on,
                      Enrolment.ended_on, Enrolment.planned_end_on).where(*active).order_by(Enrolment.id))
                  for occurrence in _open(row, meetings.get(row.id, ()), now)
                  if occurrence.appointment_id not in video]
    answered = _submitted(candidates, active)
    queued = _already_queued(r.dedupe_key for r in candidates)
    keys = [(r.enrolment_id, r.occurrence.instrument, r.occurrence.key) for r in candidates]
    linked = links.live_links(keys, now)  # a worker sent a link: its own reminder follows
    return [r for r, key in zip(candidates, keys, strict=True)
            if key not in answered and key not in linked and r.dedupe_key not in queued]


def _srs_meetings(now: datetime, active) -> tuple[dict[int, list[schedule.MeetingFacts]], set[int]]:
    """The meetings whose SRS may be open, per enrolment, and which of them were video meetings (video asks
    it on the call page). Meetings under way are included: a meeting that started closes the SRS before it."""
    rows = db.session.execute(
        select(Appointment.enrolment_id, Appointment.id, Appointment.starts_at, Appointment.ends_at,
               Appointment.modality)
        .join(Enrolment, Enrolment.id == Appointment.enrolment_id)
        .where(*active, Appointment.status.in_(MEETING_STATUSES),
               Appointment.starts_at <= now, Appointment.ends_at > now - schedule.SRS_STAYS_OPEN))
    found: dict[int, list[schedule.MeetingFacts]] = defaultdict(list)
    video: set[int] = set()
    for enrolment_id, appointment_id, starts_at, ends_at, modality in rows:
        found[enrolment_id].append(schedule.MeetingFacts(appointment_id, starts_at, ends_at))
        if modality == Modality.VIDEO:
            video.add(appointment_id)
    return found, video


def _open(row, meetings, now: datetime) -> list[schedule.Occurrence]:
    """The enrolment's open occurrences worth a message: never ORS (the appointment reminder brings the
    client, the waiting room asks it), SRS only of the meetings given (ended; the caller leaves out video)."""
    definition = registry.definition(row.programme_code)
    facts = schedule.EnrolmentFacts(row.id, row.start_on, row.ended_on or row.planned_end_on, False)
    return [o for o in schedule.open_occurrences(definition, facts, meetings, now)
            if o.instrument != "ors" and instruments.current(o.instrument) is not None]


def _submitted(candidates: list[Reminder], active) -> set[tuple[int, str, str]]:
    """Which of the candidates' occurrences have a submitted answer (drafts are still reminded)."""
    keys = sorted({r.occurrence.key for r in candidates})
    found: set[tuple[int, str, str]] = set()
    for chunk in _chunks(keys):
        found.update(db.session.execute(
            select(Answer.enrolment_id, Answer.instrument_code, Answer.occurrence)
            .join(Enrolment, Enrolment.id == Answer.enrolment_id)
            .where(*active, Answer.status == AnswerStatus.SUBMITTED, Answer.occurrence.in_(chunk))).all())
    return found


def _already_queued(keys: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        found.update(db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))))
    return found


def _clients(ids: set[int]) -> dict[int, Client]:
    found: dict[int, Client] = {}
    for chunk in _chunks(sorted(ids)):
        found.update((c.id, c) for c in db.session.scalars(select(Client).where(Client.id.in_(chunk))))
    return found


def _chunks(items: list) -> Iterable[list]:
    return (items[i:i + CHUNK] for i in range(0, len(items), CHUNK))


def _queue(client: Client, reminder: Reminder, now: datetime) -> int:
    """The reminder links to the questionnaire itself: a link that opens it without signing in (links.py,
    with its own reminder on day 2), or, for a client without an account to answer as, its page in Silta."""
    address = notifications.recipient_for(client)
    if address is None:
        return 0
    if client.user is not None:
        texts = links.FEEDBACK_DUE if instruments.is_confidential(reminder.occurrence.instrument) else links.DUE
        made = links.issue_link(None, db.session.get(Enrolment, reminder.enrolment_id), reminder.occurrence,
                                address, now, texts, reminder.dedupe_key)
        return 0 if made is None else 1
    channel, recipient = address
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + ANSWER_PATH.format(
        enrolment=reminder.enrolment_id, code=reminder.occurrence.instrument, key=reminder.occurrence.key)
    with force_locale(notifications.language_of(client)):
        subject = str(_("A questionnaire to answer"))
        body = str(_("Silta: you have a short questionnaire to answer. It helps your worker help you: %(link)s",
                     link=link))
    message = notifications.queue_message(channel=channel, recipient=recipient, subject=subject, body=body,
                                          dedupe_key=reminder.dedupe_key, send_after=now, client_id=client.id)
    return 0 if message is None else 1
