"""Call slots (health social work, 004): a worker publishes phone-call times; a booking takes one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.programmes.definitions_schema import Modality
from portal.scheduling import calls
from portal.scheduling.models import Appointment, CallSlot, ParticipantRole
from portal.scheduling.operations import BookingConflict, BookingRequest, book, cancel
from portal.scheduling.rules import BookingError
from portal.scheduling.timeutil import local

HELSINKI = ZoneInfo("Europe/Helsinki")
# Far ahead of the real clock: the pages use the real "now".
MONDAY = date(2036, 11, 24)
NOW = datetime(2036, 11, 20, 10, tzinfo=HELSINKI)


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")


@pytest.fixture
def colleague(create_staff):
    return create_staff(Role.WORKER, name="Anna Korhonen", locale="en")


@pytest.fixture
def enrolment(worker, create_client, create_enrolment):
    return create_enrolment(create_client(), coordinator=worker, programme="health-social-work")


def publish(user, start=time(9), end=time(10), minutes=20, day=MONDAY):
    return calls.publish(user, day, start, end, minutes, now=NOW)


def test_publishing_splits_the_span_into_calls(db, worker):
    slots = publish(worker, time(9), time(10, 10), 20)
    assert [s.starts_at.astimezone(HELSINKI).strftime("%H:%M") for s in slots] == ["09:00", "09:20", "09:40"]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=20) and s.free for s in slots)
    assert publish(worker, time(9), time(10), 20) == []  # the same times again: nothing new


@pytest.mark.parametrize("start, end, minutes, day, message", [
    (time(10), time(9), 20, MONDAY, "end must be after the start"),
    (time(7), time(9), 20, MONDAY, "within your working hours"),
    (time(9), time(10), 20, date(2036, 12, 24), "within your working hours"),  # Christmas Eve
    (time(9), time(10), 2, MONDAY, "between 5 minutes and 8 hours"),
    (time(8), time(16), 10, MONDAY, "at most 32"),
    (time(9), time(10), 20, date(2036, 11, 17), "already passed"),
])
def test_bad_spans_are_refused(db, worker, start, end, minutes, day, message):
    with pytest.raises(BookingError, match=message):
        publish(worker, start, end, minutes, day)
    assert db.session.scalar(select(CallSlot)) is None


def test_no_slots_while_away(db, worker, add_absence):
    add_absence(worker, local(MONDAY, time(0)), local(MONDAY + timedelta(days=1), time(0)))
    with pytest.raises(BookingError, match="when you are away"):
        publish(worker)


def test_taking_a_slot_books_a_phone_call_with_the_slots_worker(db, worker, colleague, enrolment):
    [slot, *_] = publish(colleague)
    appointment = calls.take(worker, slot, enrolment, now=NOW)
    assert (appointment.contact_type, appointment.modality) == ("phone-call", Modality.PHONE)
    assert (appointment.starts_at, appointment.ends_at) == (slot.starts_at, slot.ends_at)
    hosts = [p.user_id for p in appointment.participants if p.role is ParticipantRole.HOST]
    assert hosts == [colleague.id] and appointment.organizer_id == worker.id  # the booker does not join the call
    assert not slot.free and slot not in calls.free_slots([colleague.id], NOW)
    assert len(calls.free_slots([colleague.id], NOW)) == 2


def test_a_taken_slot_cannot_be_taken_again_until_cancelled(db, worker, enrolment, create_client, create_enrolment):
    [slot, *_] = publish(worker)
    first = calls.take(worker, slot, enrolment, now=NOW)
    other = create_enrolment(create_client(), coordinator=worker, programme="health-social-work")
    with pytest.raises(BookingError, match="just been taken"):
        calls.take(worker, slot, other, now=NOW)
    cancel(worker, first)
    assert slot.free and slot in calls.free_slots([worker.id], NOW)
    assert calls.take(worker, slot, other, now=NOW).id != first.id


def test_a_slot_whose_time_was_booked_otherwise_is_refused_by_the_database(db, worker, enrolment, create_client,
                                                                          create_enrolment):
    [slot, *_] = publish(worker)
    other = create_enrolment(create_client(), coordinator=worker, programme="health-social-work")
    book(worker, BookingRequest(enrolment=other, contact_type="reception-visit", modality=Modality.RECEPTION,
                                starts_at=slot.starts_at, minutes=45), now=NOW)
    with pytest.raises(BookingConflict):
        calls.take(worker, slot, enrolment, now=NOW)
    assert slot.free and db.session.scalars(select(Appointment)).all().__len__() == 1


def test_programmes_without_phone_contacts_take_no_slots(db, worker, create_client, create_enrolment):
    [slot, *_] = publish(worker)
    guidance = create_enrolment(create_client(), coordinator=worker, programme="remote-guidance")
    with pytest.raises(BookingError, match="no phone contacts"):
        calls.take(worker, slot, guidance, now=NOW)
    assert slot.free


def test_only_own_free_slots_can_be_removed(db, worker, colleague, enrolment):
    mine, taken = publish(worker)[:2]
    calls.take(worker, taken, enrolment, now=NOW)
    with pytest.raises(BookingError):
        calls.remove(colleague, mine)
    with pytest.raises(BookingError):
        calls.remove(worker, taken)
    calls.remove(worker, mine)
    assert db.session.get(CallSlot, mine.id) is None


# --- the pages ---------------------------------------------------------------------------------

def test_worker_publishes_and_sees_their_slots(client, db, login, worker):
    db.session.commit()
    login(worker)
    assert client.get("/work/calendar/calls").status_code == 200
    data = {"day": MONDAY.isoformat(), "start": "09:00", "end": "10:00", "minutes": "20"}
    assert client.post("/work/calendar/calls", data=data).status_code == 302
    page = client.get("/work/calendar/calls").get_data(as_text=True)
    assert page.count("Remove the call slot") == 3
    response = client.post("/work/calendar/calls", data={**data, "start": "06:00", "end": "07:00"})
    assert response.status_code == 400 and "within your working hours" in response.get_data(as_text=True)
    response = client.post("/work/calendar/calls", data={**data, "day": "2036-03-30", "start": "03:30"})
    assert response.status_code == 400  # 2036-03-30 is the spring clock change: 03:30 does not exist


def test_booking_page_offers_free_slots_and_takes_one(client, db, login, worker, colleague, enrolment):
    [slot, *_] = publish(colleague)
    db.session.commit()
    login(worker)
    page = client.get(f"/work/calendar/book/{enrolment.id}").get_data(as_text=True)
    assert "Free call slots" in page and "with Anna Korhonen" in page
    response = client.post(f"/work/calendar/calls/{slot.id}/take/{enrolment.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(CallSlot, slot.id).free
    response = client.post(f"/work/calendar/calls/{slot.id}/take/{enrolment.id}", follow_redirects=True)
    assert "just been taken" in response.get_data(as_text=True)


def test_someone_elses_slot_or_client_is_refused(client, db, login, worker, enrolment, create_staff):
    [slot, *_] = publish(worker)
    stranger = create_staff(Role.WORKER, name="Outsider", in_unit=None)  # works with none of these clients
    db.session.commit()
    login(stranger)
    assert client.post(f"/work/calendar/calls/{slot.id}/remove").status_code == 403
    assert client.post(f"/work/calendar/calls/{slot.id}/take/{enrolment.id}").status_code == 403
    db.session.expire_all()
    assert db.session.get(CallSlot, slot.id).free

