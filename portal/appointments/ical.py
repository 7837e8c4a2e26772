"""Appointments as iCalendar (RFC 5545), for a one-off download and for the private calendar feed.

An event says only what the client already sees on their page — when, what kind of meeting, with whom
and where — never notes, reasons or anything about their health. Times are written in UTC (``…Z``), so
no calendar app has to know Helsinki's daylight-saving rules to show the right wall-clock time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import icalendar

from portal.appointments.queries import workers_of
from portal.db import utcnow
from portal.i18n import _
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Appointment, AppointmentStatus
from portal.scheduling.timeutil import as_utc
from portal.web.templating import label, programme_names

PRODID = "-//Silta//Silta appointments//FI"
UID_DOMAIN = "silta"
REFRESH = timedelta(hours=1)


def uid(appointment: Appointment) -> str:
    """Stable for the appointment's whole life, so an update replaces the event instead of adding one."""
    return f"appointment-{appointment.id}@{UID_DOMAIN}"


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
          stamp: datetime | None = None) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid(appointment))
    ev.add("dtstamp", as_utc(stamp or utcnow()))
    ev.add("created", as_utc(appointment.created_at))
    ev.add("dtstart", as_utc(appointment.starts_at))
    ev.add("dtend", as_utc(appointment.ends_at))
    ev.add("summary", summary(appointment))
    ev.add("location", location(appointment))
    ev.add("status", "CANCELLED" if appointment.status is AppointmentStatus.CANCELLED else "CONFIRMED")
    ev.add("sequence", sequence)
    ev.add("transp", "TRANSPARENT" if appointment.status is AppointmentStatus.CANCELLED else "OPAQUE")
    if url:
        ev.add("url", url)
    return ev


def calendar(appointments: Iterable[Appointment], sequences: Mapping[int, int], name: str | None = None,
             url: str | None = None, method: str | None = None) -> bytes:
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
    stamp = utcnow()
    for appointment in appointments:
        cal.add_component(event(appointment, sequences.get(appointment.id, 0), url, stamp))
    return cal.to_ical()
