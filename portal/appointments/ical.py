"""Appointments as iCalendar (RFC 5545), for a one-off download and for the private calendar feed.

An event says only what the client already sees on their page — when, what kind of meeting, with whom
and where — never notes, reasons or anything about their health. Times are written in UTC (``…Z``), so
no calendar app has to know Helsinki's daylight-saving rules to show the right wall-clock time.

- UID ``appointment-<id>@<domain>``: the domain is ``ICAL_UID_DOMAIN`` (default: the host of
  ``PUBLIC_BASE_URL``), so two organisations running Silta never collide in one calendar; set it once and
  keep it (a new domain makes new events in calendars that imported a file).
- DTSTAMP and LAST-MODIFIED are the appointment's last change (``updated_at``), not the fetch time, so an
  unchanged feed is byte-for-byte the same (and its ETag too).
- ORGANIZER: the unit (its name, and its phone as a ``tel:`` address: the number a client calls about an
  appointment) when it has a phone, else the worker who booked it (name and work email).
- VALARM: one display alarm per reminder offset (``REMINDER_OFFSETS``) for a client who gets reminders
  (a text message or email address for them), so the calendar reminds as Silta does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
from flask import current_app
from flask_babel import get_locale

from portal.appointments.queries import workers_of
from portal.i18n import _
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Appointment, AppointmentStatus
from portal.scheduling.timeutil import as_utc
from portal.web.templating import label, programme_names

PRODID = "-//Silta//Silta appointments//FI"
REFRESH = timedelta(hours=1)


def uid_domain() -> str:
    return current_app.config.get("ICAL_UID_DOMAIN") or urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname


def uid(appointment: Appointment) -> str:
    """Stable for the appointment's whole life, so an update replaces the event instead of adding one; unique
    across organisations by the domain."""
    return f"appointment-{appointment.id}@{uid_domain()}"


def organizer(appointment: Appointment) -> icalendar.vCalAddress | None:
    unit = appointment.enrolment.unit if appointment.enrolment is not None else None
    if unit is not None and unit.phone:
        address = icalendar.vCalAddress("tel:" + "".join(unit.phone.split()))
        address.params["CN"] = unit.name(str(get_locale()))
        return address
    worker = appointment.organizer
    if worker is None or not worker.email:
        return None
    address = icalendar.vCalAddress(f"mailto:{worker.email}")
    address.params["CN"] = worker.display_name
    return address


def alarm(appointment: Appointment, minutes: int) -> icalendar.Alarm:
    item = icalendar.Alarm()
    item.add("action", "DISPLAY")
    item.add("description", summary(appointment))
    item.add("trigger", timedelta(minutes=-minutes))
    return item


def summary(appointment: Appointment) -> str:
    what = programme_names(appointment.programme_code, "contact_types", appointment.contact_type)
    workers = ", ".join(w.display_name for w in workers_of(appointment))
    text = _("%(contact_type)s with %(workers)s", contact_type=what, workers=workers) if workers else what
    if appointment.status is AppointmentStatus.CANCELLED:
        text = _("Cancelled: %(summary)s", summary=text)
    return text


def location(appointment: Appointment) -> str:
    if appointment.place:
        return appointment.place
    if appointment.modality is Modality.VIDEO:
        return _("Silta video")
    return label(appointment.modality)


def event(appointment: Appointment, sequence: int = 0, url: str | None = None,
          alarms: Sequence[int] = ()) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid(appointment))
    ev.add("dtstamp", as_utc(appointment.updated_at))
    ev.add("created", as_utc(appointment.created_at))
    ev.add("last-modified", as_utc(appointment.updated_at))
    ev.add("dtstart", as_utc(appointment.starts_at))
    ev.add("dtend", as_utc(appointment.ends_at))
    ev.add("summary", summary(appointment))
    ev.add("location", location(appointment))
    ev.add("status", "CANCELLED" if appointment.status is AppointmentStatus.CANCELLED else "CONFIRMED")
    ev.add("sequence", sequence)
    ev.add("transp", "TRANSPARENT" if appointment.status is AppointmentStatus.CANCELLED else "OPAQUE")
    if url:
        ev.add("url", url)
    address = organizer(appointment)
    if address is not None:
        ev.add("organizer", address)
    if appointment.status is not AppointmentStatus.CANCELLED:
        for minutes in sorted(alarms, reverse=True):
            ev.add_component(alarm(appointment, minutes))
    return ev


def calendar(appointments: Iterable[Appointment], sequences: Mapping[int, int], name: str | None = None,
             url: str | None = None, method: str | None = None, alarms: Sequence[int] = ()) -> bytes:
    """A VCALENDAR with one VEVENT per appointment, serialised."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("name", name)
        # RFC 7986 and the de-facto header: how often a subscribed calendar should fetch again.
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    for appointment in appointments:
        cal.add_component(event(appointment, sequences.get(appointment.id, 0), url, alarms))
    return cal.to_ical()
