"""Questionnaires by link: one occurrence answered from an SMS or email link, without signing in.

A worker sends the link (the client's preferred channel, through the notification outbox: SMS by the
pluggable SMS backend, the local outbox by default). The link opens that one questionnaire and nothing
else: no session is made, no other page or data is reachable from it, it works until it expires
(``QUESTIONNAIRE_LINK_DAYS``, 4) and once. One reminder goes on day ``QUESTIONNAIRE_LINK_REMINDER_DAYS``
(2): queued with the first message and withdrawn when the answer comes. The answer is the client's own
(recorded with the client's account as actor, source "client"), as if they had signed in.

Why a random token with its hash stored, not a signed one (itsdangerous): "once" and "withdrawn" need a
row anyway, and a stored hash cannot be replayed after the row is used or gone.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, _l
from portal.measures import instruments, operations, queries
from portal.measures.models import Answer, QuestionnaireLink
from portal.measures.schedule import Occurrence
from portal.notifications import operations as notifications
from portal.notifications.models import Channel, OutboxMessage, OutboxStatus
from portal.programmes.models import Enrolment
from portal.web.templating import local_date

LINK_PATH = "/q/"
FEATURE = "measures"


class LinkRefused(Exception):
    """A link cannot be sent; the message says why, in words the worker can act on."""


REFUSALS = {
    "no_account": _l("The client has no Silta account, so the answer could not be theirs. "
                     "Enter it from paper instead."),
    "no_address": _l("The client's preferred way of contact is not SMS or email with an address. "
                     "Change the contact details first, or enter the answer from paper."),
    "closed": _l("This questionnaire is not open for answers now."),
    "answered": _l("The client has already answered this questionnaire."),
}


class LinkState(enum.StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass
class Opened:
    state: LinkState
    link: QuestionnaireLink | None = None
    occurrence: Occurrence | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + LINK_PATH + token


def language_of(enrolment: Enrolment) -> str:
    user = enrolment.client.user
    return user.locale if user is not None and user.locale else notifications.language_of(enrolment.client)


def send_link(actor: User, enrolment: Enrolment, code: str, key: str, now: datetime | None = None) -> Channel:
    """Make a link to one open, unanswered occurrence and queue it (and its one reminder) to the client."""
    now = now or utcnow()
    client = enrolment.client
    if instruments.is_confidential(code):
        # Feedback about the service goes by link only with the hourly reminders (reminders.py): a worker's
        # refusal "already answered" would tell them whether the client gave feedback.
        raise LinkRefused(REFUSALS["closed"])
    if client.user is None:
        raise LinkRefused(REFUSALS["no_account"])
    address = notifications.recipient_for(client)
    if address is None:
        raise LinkRefused(REFUSALS["no_address"])
    occurrence = queries.find_occurrence(enrolment, code, key, now, open_only=True)
    if occurrence is None:
        raise LinkRefused(REFUSALS["closed"])
    answer = queries.answer_for(enrolment.id, code, key)
    if answer is not None and answer.submitted:
        raise LinkRefused(REFUSALS["answered"])
    channel, _recipient = address
    issue_link(actor, enrolment, occurrence, address, now, WORKER_ASKS)
    return channel


# The messages' texts (marked here, translated in the client's language when sent): first, then reminder.
WORKER_ASKS = (
    _l("Silta: your worker asks you to answer a short questionnaire. The link works until %(date)s, once: %(link)s"),
    _l("Silta, a reminder: your worker asks you to answer a short questionnaire. The link works until %(date)s, "
       "once: %(link)s"))
DUE = (
    _l("Silta: you have a short questionnaire to answer. It helps your worker help you. The link works until "
       "%(date)s, once: %(link)s"),
    _l("Silta, a reminder: you have a short questionnaire to answer. The link works until %(date)s, once: %(link)s"))
FEEDBACK_DUE = (
    _l("Silta: please tell us what you think of our service. Your worker does not see your answer. The link "
       "works until %(date)s, once: %(link)s"),
    _l("Silta, a reminder: please tell us what you think of our service. Your worker does not see your answer. "
       "The link works until %(date)s, once: %(link)s"))


def issue_link(actor: User | None, enrolment: Enrolment, occurrence: Occurrence, address: tuple[Channel, str],
               now: datetime, texts: tuple, dedupe_key: str | None = None) -> QuestionnaireLink | None:
    """A link to one occurrence, queued with its one reminder to the client (``actor`` None: the reminder
    job). It works for ``QUESTIONNAIRE_LINK_DAYS`` while the occurrence is open (``open_link``): the message
    says until when, and no reminder goes for a questionnaire that will have closed by then (an ORS closes
    when its meeting ends, an SRS after a day). None when ``dedupe_key`` was already used (nothing is made)."""
    config, client = current_app.config, enrolment.client
    token = secrets.token_urlsafe(32)
    link = QuestionnaireLink(token_hash=_hash(token), enrolment_id=enrolment.id,
                             instrument_code=occurrence.instrument, occurrence_key=occurrence.key,
                             created_by_id=actor.id if actor is not None else None, created_at=now,
                             expires_at=now + timedelta(days=config["QUESTIONNAIRE_LINK_DAYS"]))
    works_until = min(link.expires_at, occurrence.closes_at)
    channel, recipient = address
    with force_locale(language_of(enrolment)):
        until = local_date(works_until, "short")
        subject = str(_("A questionnaire to answer"))
        first, again = (str(text % {"date": until, "link": link_url(token)}) for text in texts)
    message = notifications.queue_message(channel=channel, recipient=recipient, subject=subject, body=first,
                                          send_after=now, client_id=client.id, dedupe_key=dedupe_key)
    if message is None:
        return None
    db.session.add(link)
    db.session.flush()
    remind_at = now + timedelta(days=config["QUESTIONNAIRE_LINK_REMINDER_DAYS"])
    reminder = notifications.queue_message(
        channel=channel, recipient=recipient, subject=subject, body=again, client_id=client.id,
        send_after=remind_at, dedupe_key=f"measure-link:{link.id}:reminder") if remind_at < works_until else None
    link.reminder_id = reminder.id if reminder is not None else None
    record(actor, AuditAction.CREATE, FEATURE, "questionnaire_link", link.id, client.id,
           {"instrument": occurrence.instrument, "channel": channel.value})
    return link


def live_links(keys: Iterable[tuple[int, str, str]], now: datetime) -> set[tuple[int, str, str]]:
    """Which of these (enrolment, instrument, occurrence) already have a link that still works: the hourly
    reminder leaves those to the link's own reminder."""
    wanted = set(keys)
    enrolments = sorted({k[0] for k in wanted})
    found: set[tuple[int, str, str]] = set()
    for start in range(0, len(enrolments), 500):
        found.update(db.session.execute(
            select(QuestionnaireLink.enrolment_id, QuestionnaireLink.instrument_code, QuestionnaireLink.occurrence_key)
            .where(QuestionnaireLink.enrolment_id.in_(enrolments[start:start + 500]),
                   QuestionnaireLink.used_at.is_(None), QuestionnaireLink.expires_at > now)).all())
    return found & wanted


def open_link(token: str, now: datetime | None = None) -> Opened:
    """What a link opens: its occurrence while it works, else why not (nothing of the client's data)."""
    now = now or utcnow()
    link = db.session.scalar(select(QuestionnaireLink).where(QuestionnaireLink.token_hash == _hash(token)))
    if link is None:
        return Opened(LinkState.UNKNOWN)
    if link.used_at is not None:
        return Opened(LinkState.USED)
    answer = queries.answer_for(link.enrolment_id, link.instrument_code, link.occurrence_key)
    if answer is not None and answer.submitted:
        return Opened(LinkState.USED)  # answered another way (signed in, or entered from paper)
    occurrence = queries.find_occurrence(link.enrolment, link.instrument_code, link.occurrence_key, now,
                                         open_only=True)
    if now >= link.expires_at or occurrence is None:
        return Opened(LinkState.EXPIRED)
    return Opened(LinkState.OPEN, link, occurrence)


def answer_by_link(opened: Opened, version_id: int, raw: Mapping[str, str], form_token: str | None) -> Answer:
    """Submit the client's answer through the link: theirs, as if signed in; the link is used up and its
    reminder, if not yet sent, withdrawn."""
    link, enrolment = opened.link, opened.link.enrolment
    answer = operations.submit(enrolment.client.user, enrolment, opened.occurrence, version_id, raw, form_token)
    link.used_at = utcnow()
    reminder_id, link.reminder_id = link.reminder_id, None
    if reminder_id is not None:
        db.session.flush()
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id == reminder_id,
                                                       OutboxMessage.status == OutboxStatus.QUEUED)
                           .execution_options(synchronize_session=False))
    db.session.flush()
    return answer
