"""iCalendar: one appointment as a file, and the client's private feed (parsed back with icalendar)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, time, timedelta

import icalendar
import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.db import utcnow
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling.models import AppointmentStatus, CalendarFeed, ChangeRequest
from portal.scheduling.timeutil import HELSINKI, as_helsinki, local
from tests.appointments import hours_from_now, make_appointment


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen")


@pytest.fixture
def me(db, create_client, create_enrolment, worker):
    client = create_client()
    client.user.locale = "en"
    create_enrolment(client, coordinator=worker)
    db.session.commit()
    return client


@pytest.fixture
def signed_in(login, me):
    return login(me.user)


def book(db, worker, client, starts_at, **extra):
    appointment = make_appointment(db, starts_at, (worker,), (client,), **extra)
    db.session.commit()
    return appointment


def next_day(month: int, day: int) -> date:
    """The next such date from today: within the feed's year ahead."""
    today = date.today()
    candidate = date(today.year, month, day)
    return candidate if candidate > today else date(today.year + 1, month, day)


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(ev["uid"]): ev for ev in cal.walk("VEVENT")}


def uid(appointment) -> str:
    return f"appointment-{appointment.id}@127.0.0.1"  # the host of PUBLIC_BASE_URL in tests


# --- one appointment --------------------------------------------------------------------------------

@pytest.mark.parametrize(("month", "utc_hour"), [(7, 7), (1, 8)], ids=["summer", "winter"])
def test_ten_oclock_in_helsinki_is_written_in_utc(db, client, worker, me, signed_in, month, utc_hour):
    appointment = book(db, worker, me, local(next_day(month, 15), time(10)), minutes=45)
    cal = parse(client.get(f"/me/appointments/{appointment.id}.ics"))
    (event,) = cal.walk("VEVENT")
    start, end = event["dtstart"].dt, event["dtend"].dt
    assert start.utcoffset() == timedelta(0) and start.hour == utc_hour
    assert b"DTSTART:" in event.to_ical() and event.to_ical().count(b"Z\r\n") >= 2  # UTC form, no TZID
    assert as_helsinki(start).time() == time(10) and as_helsinki(end).time() == time(10, 45)
    assert start.astimezone(HELSINKI).month == month


def test_event_fields(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, hours_from_now(72), modality=Modality.VIDEO)
    response = client.get(f"/me/appointments/{appointment.id}.ics")
    assert "attachment" in response.headers["Content-Disposition"]
    cal = parse(response)
    assert cal["version"] == "2.0" and cal["method"] == "PUBLISH"
    event = events(cal)[uid(appointment)]
    assert str(event["summary"]) == "Guidance meeting with Sanna Virtanen"
    assert str(event["location"]) == "Silta video"
    assert str(event["status"]) == "CONFIRMED" and event["sequence"] == 0
    assert "dtstamp" in event


def test_place_is_the_location(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, hours_from_now(72), modality=Modality.HOME_VISIT, place="Kotikatu 1")
    (event,) = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")
    assert str(event["location"]) == "Kotikatu 1"


def test_no_health_details_in_the_event(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, hours_from_now(72))
    appointment.cancel_reason = "Psykoosi paheni"
    db.session.add(ChangeRequest(appointment=appointment, client_id=me.id, requested_by_id=me.user_id,
                                 message="Lääkitys muuttui"))
    db.session.commit()
    (event,) = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")
    names = {name for name, _value in event.property_items(recursive=False)} - {"BEGIN", "END"}
    assert names <= {"UID", "DTSTAMP", "CREATED", "LAST-MODIFIED", "DTSTART", "DTEND", "SUMMARY", "LOCATION",
                     "STATUS", "SEQUENCE", "TRANSP", "URL", "ORGANIZER"}
    assert {c.name for c in event.subcomponents} <= {"VALARM"}
    text = event.to_ical().decode()
    assert "Psykoosi" not in text and "Lääkitys" not in text


def test_sequence_grows_with_each_change_and_cancelled_shows(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, hours_from_now(72))
    client.post(f"/me/appointments/{appointment.id}/confirm")
    (event,) = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")
    assert event["sequence"] == 1 and str(event["status"]) == "CONFIRMED"
    client.post(f"/me/appointments/{appointment.id}/cancel")
    (event,) = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")
    assert event["sequence"] == 2 and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == uid(appointment)


# --- the private feed -------------------------------------------------------------------------------

def create_feed(client) -> str:
    response = client.post("/me/calendar-feed")
    assert response.status_code == 200
    match = re.search(r'value="(http://localhost/calendar/([A-Za-z0-9_-]+)\.ics)"', response.get_data(as_text=True))
    assert match, "the page shows the feed's address"
    return match.group(2)


def test_feed_token_is_shown_once_and_stored_only_as_a_hash(db, client, me, signed_in):
    token = create_feed(client)
    assert len(token) >= 43
    feed = db.session.scalar(select(CalendarFeed))
    assert feed.client_id == me.id and feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get("/me/appointments").get_data(as_text=True)


def test_feed_without_sign_in(app, db, worker, me, signed_in, client):
    token = create_feed(client)
    summer = book(db, worker, me, local(next_day(7, 15), time(10)))
    winter = book(db, worker, me, local(next_day(1, 15), time(10)))
    cancelled = book(db, worker, me, hours_from_now(48), status=AppointmentStatus.CANCELLED)
    recent = book(db, worker, me, hours_from_now(-24 * 20), status=AppointmentStatus.HELD)
    too_old = book(db, worker, me, hours_from_now(-24 * 40), status=AppointmentStatus.HELD)
    too_far = book(db, worker, me, hours_from_now(24 * 400))
    anonymous = app.test_client()
    response = anonymous.get(f"/calendar/{token}.ics")
    found = events(parse(response))
    assert set(found) == {uid(a) for a in (summer, winter, cancelled, recent)}
    assert str(found[uid(cancelled)]["status"]) == "CANCELLED"
    for appointment in (summer, winter):
        start = found[uid(appointment)]["dtstart"].dt
        assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
        assert as_helsinki(start).time() == time(10)
    assert {too_old.id, too_far.id}.isdisjoint(int(u.split("-")[1].split("@")[0]) for u in found)
    assert "inline" in response.headers["Content-Disposition"]
    db.session.expire_all()
    used = db.session.scalar(select(CalendarFeed)).last_used_at
    assert used is not None and abs(used - utcnow()) < timedelta(minutes=1) and used.tzinfo is UTC


def test_feed_holds_only_the_clients_own(app, db, worker, me, signed_in, client, create_client):
    token = create_feed(client)
    book(db, worker, create_client(), hours_from_now(48))
    assert events(parse(app.test_client().get(f"/calendar/{token}.ics"))) == {}


def test_feed_speaks_the_clients_language(app, db, worker, me, signed_in, client):
    token = create_feed(client)
    me.user.locale = "sv"
    book(db, worker, me, hours_from_now(48))
    (event,) = parse(app.test_client().get(f"/calendar/{token}.ics",
                                           headers={"Accept-Language": "en"})).walk("VEVENT")
    assert str(event["summary"]).startswith("Handledningsmöte")


def test_new_feed_replaces_the_old_and_revoking_stops_it(app, db, me, signed_in, client):
    first = create_feed(client)
    second = create_feed(client)
    anonymous = app.test_client()
    assert anonymous.get(f"/calendar/{first}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{second}.ics").status_code == 200
    response = client.post("/me/calendar-feed/revoke", follow_redirects=True)
    assert "The calendar link was stopped" in response.get_data(as_text=True)
    assert anonymous.get(f"/calendar/{second}.ics").status_code == 404
    feeds = db.session.scalars(select(CalendarFeed)).all()
    assert len(feeds) == 2 and all(f.revoked_at is not None for f in feeds)


def test_unknown_token_is_404(app):
    assert app.test_client().get("/calendar/not-a-token.ics").status_code == 404


def test_feed_pages_are_for_clients(app, client, login, worker):
    assert client.post("/me/calendar-feed").status_code == 302
    login(worker)
    assert client.post("/me/calendar-feed").status_code == 403
    assert client.post("/me/calendar-feed/revoke").status_code == 403


# --- UID, last change, organizer, alarms, ETag (issue 20) ------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"ICAL_UID_DOMAIN": "silta.hyvinvointialue.example"}])
def test_uid_domain_is_the_organisations(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, hours_from_now(72))
    (event,) = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")
    assert str(event["uid"]) == f"appointment-{appointment.id}@silta.hyvinvointialue.example"


def test_stamp_is_the_last_change_and_the_worker_organizes(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, hours_from_now(72))
    first = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")[0]
    assert first["dtstamp"].dt == first["last-modified"].dt == appointment.updated_at.replace(microsecond=0)
    assert str(first["organizer"]) == f"mailto:{worker.email}" and first["organizer"].params["CN"] == "Sanna Virtanen"
    client.post(f"/me/appointments/{appointment.id}/confirm")
    db.session.refresh(appointment)
    second = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")[0]
    assert second["last-modified"].dt == appointment.updated_at.replace(microsecond=0) >= first["dtstamp"].dt
    assert appointment.version == 2


def test_the_unit_with_a_phone_organizes(db, client, worker, me, signed_in, unit):
    unit.phone = "09 123 4567"
    appointment = book(db, worker, me, hours_from_now(72))
    appointment.enrolment = _enrolment(db, me)
    db.session.commit()
    (event,) = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")
    assert str(event["organizer"]) == "tel:091234567" and event["organizer"].params["CN"] == unit.name("en")


def _enrolment(db, client_row):
    return db.session.scalar(select(Enrolment).where(Enrolment.client_id == client_row.id))


def test_alarms_follow_the_reminders(app, db, client, worker, me, signed_in):
    appointment = book(db, worker, me, hours_from_now(72))
    (event,) = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")
    triggers = [alarm["trigger"].dt for alarm in event.walk("VALARM")]
    assert triggers == [-timedelta(minutes=m) for m in sorted(app.config["REMINDER_OFFSETS"], reverse=True)]
    me.phone = None  # no address for text messages: Silta does not remind, neither does the calendar
    db.session.commit()
    (event,) = parse(client.get(f"/me/appointments/{appointment.id}.ics")).walk("VEVENT")
    assert event.walk("VALARM") == []


def test_feed_etag(app, db, worker, me, signed_in, client):
    token = create_feed(client)
    appointment = book(db, worker, me, hours_from_now(48))
    anonymous = app.test_client()
    first = anonymous.get(f"/calendar/{token}.ics")
    etag = first.headers["ETag"]
    assert anonymous.get(f"/calendar/{token}.ics").data == first.data  # the same until something changes
    assert anonymous.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    client.post(f"/me/appointments/{appointment.id}/confirm")
    changed = anonymous.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
