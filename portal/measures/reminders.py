"""Reminders of questionnaires that are open and unanswered, sent with the scheduling notifications.

What is reminded: the questionnaires that do not belong to a meeting — 3X10D at the start and at six
months, written feedback, the feedback periods and the yearly survey — and the SRS after a phone, home
or office meeting (a video meeting asks it on the call page's end). ORS before a meeting needs no
message of its own: the appointment reminder brings the client to Silta, and the waiting room asks it.

One message per questionnaire occurrence (the outbox's dedupe key), in the client's language, by
their preferred channel; the message says only that there is a questionnaire and links to "My
results" — never which one or any answer. Messages go out in daytime only (Helsinki 9–19).
The scan runs once an hour (the first job run after the full hour), not at every job tick.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import _
from portal.measures import queries
from portal.notifications import operations as notifications
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import Appointment
from portal.scheduling.timeutil import as_helsinki

RESULTS_PATH = "/me/measures"
DAYTIME = range(9, 19)  # Helsinki hours in which questionnaire reminders are queued
SCAN_MINUTES = 2  # the first job runs of each hour scan (the in-process runner ticks every 30 s)
MEETING_INSTRUMENTS = {"ors", "srs"}


def queue_questionnaire_reminders(now: datetime) -> int:
    """Queue reminders for open, unanswered questionnaires; returns how many were queued."""
    local = as_helsinki(now)
    if local.hour not in DAYTIME or local.minute >= SCAN_MINUTES:
        return 0
    queued = 0
    for enrolment in _enrolments_with_questionnaires():
        for item in queries.due_for_enrolment(enrolment, now):
            if _worth_a_message(item, now):
                queued += _queue(enrolment, item.occurrence, now)
    return queued


def _enrolments_with_questionnaires() -> list[Enrolment]:
    codes = [code for code, loaded in registry.loaded().items()
             if loaded.definition.measures or loaded.definition.feedback]
    return list(db.session.scalars(select(Enrolment).where(
        Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.programme_code.in_(codes))))


def _worth_a_message(item: queries.DueItem, now: datetime) -> bool:
    occurrence = item.occurrence
    if occurrence.instrument not in MEETING_INSTRUMENTS:
        return True
    if occurrence.instrument != "srs" or occurrence.appointment_id is None:
        return False
    appointment = db.session.get(Appointment, occurrence.appointment_id)
    return appointment is not None and appointment.modality != Modality.VIDEO and appointment.ends_at <= now


def _queue(enrolment: Enrolment, occurrence, now: datetime) -> int:
    client = enrolment.client
    address = notifications.recipient_for(client)
    if address is None:
        return 0
    channel, recipient = address
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + RESULTS_PATH
    with force_locale(notifications.language_of(client)):
        subject = str(_("A questionnaire to answer"))
        body = str(_("Silta: you have a short questionnaire to answer. It helps your worker help you: %(link)s",
                     link=link))
    key = f"measure:{enrolment.id}:{occurrence.instrument}:{occurrence.key}"
    message = notifications.queue_message(channel=channel, recipient=recipient, subject=subject, body=body,
                                          dedupe_key=key, send_after=now, client_id=client.id)
    return 0 if message is None else 1
