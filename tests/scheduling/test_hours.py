"""The worker's own working hours and absences: validation, their effect on free times and booking, pages, access."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.programmes.definitions_schema import Modality
from portal.scheduling import availability, hours, hours_routes
from portal.scheduling.models import Absence, WorkingHours
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.rules import NeedsConfirmation
from portal.scheduling.timeutil import local

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
MONDAY = date(2026, 11, 23)
HOURS, ABSENCES = "/work/calendar/hours", "/work/calendar/absences"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(hours_routes, "utcnow", lambda: NOW)


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")


@pytest.fixture
def enrolment(worker, create_client, create_enrolment):
    return create_enrolment(create_client(), coordinator=worker, programme="many-services")


def t(hour: int, minute: int = 0) -> time:
    return time(hour, minute)


def saved(db, user) -> list[tuple[int, time, time]]:
    db.session.expire_all()
    rows = select(WorkingHours).where(WorkingHours.user_id == user.id)
    return [(r.weekday, r.starts, r.ends)
            for r in db.session.scalars(rows.order_by(WorkingHours.weekday, WorkingHours.starts))]


# --- working hours: the operation -----------------------------------------------------------------

def test_set_working_hours_replaces_the_week(db, worker):
    hours.set_working_hours(worker, worker, {0: [(t(8), t(16))], 1: [(t(8), t(16))]})
    hours.set_working_hours(worker, worker, {2: [(t(12), t(16)), (t(7, 30), t(11))]})
    assert saved(db, worker) == [(2, t(7, 30), t(11)), (2, t(12), t(16))]


@pytest.mark.parametrize(("rows", "message"), [
    ({0: [(t(16), t(8))]}, "after its start"),
    ({0: [(t(8), t(8))]}, "after its start"),
    ({0: [(t(8), t(12)), (t(11), t(16))]}, "overlap"),
    ({0: [(t(8), t(10)), (t(11), t(12)), (t(13), t(16))]}, "at most 2"),
    ({0: [(t(8, 3), t(16))]}, "steps of five minutes"),
    ({0: [(t(8), time(16, 0, 30))]}, "steps of five minutes"),
    ({7: [(t(8), t(16))]}, "weekday"),
    ({}, "at least one day"),
    ({0: []}, "at least one day"),
])
def test_invalid_hours_are_refused_and_nothing_changes(db, worker, english, rows, message):
    hours.set_working_hours(worker, worker, {4: [(t(9), t(15))]})
    with pytest.raises(hours.HoursError, match=message):
        hours.set_working_hours(worker, worker, rows)
    assert saved(db, worker) == [(4, t(9), t(15))]


def test_nobody_sets_someone_elses_hours(worker, create_staff):
    lead = create_staff(Role.TEAM_LEAD)
    with pytest.raises(PermissionError):
        hours.set_working_hours(lead, worker, {0: [(t(8), t(16))]})
    with pytest.raises(PermissionError):
        hours.add_absence(lead, worker, MONDAY)


def test_slot_finder_honours_new_hours(db, worker):
    monday_start, monday_end = local(MONDAY, t(0)), local(MONDAY, t(23))
    before = availability.find_slots([worker.id], None, 60, monday_start, monday_end, limit=1)
    assert before == [local(MONDAY, t(8))]  # the default week
    hours.set_working_hours(worker, worker, {0: [(t(12), t(14))], 2: [(t(9), t(17))]})
    found = availability.find_slots([worker.id], None, 60, monday_start, monday_end, step_minutes=60, limit=10)
    assert found == [local(MONDAY, t(12)), local(MONDAY, t(13))]
    tuesday = MONDAY + timedelta(days=1)
    assert availability.find_slots([worker.id], None, 60, local(tuesday, t(0)), local(tuesday, t(23))) == []


def test_hours_stay_local_across_the_spring_change(db, worker):
    hours.set_working_hours(worker, worker, {d: [(t(8), t(16))] for d in range(7)})
    windows = availability.working_windows([worker.id], date(2026, 3, 28), date(2026, 3, 30))[worker.id]
    assert windows == [(local(d, t(8)), local(d, t(16))) for d in (date(2026, 3, 28), date(2026, 3, 29),
                                                                   date(2026, 3, 30))]
    assert [w[0].hour for w in windows] == [6, 5, 5]  # UTC: +2 before the change, +3 after


# --- absences: the operation ----------------------------------------------------------------------

def test_absence_covers_whole_helsinki_days(db, worker):
    absence, covered = hours.add_absence(worker, worker, date(2026, 7, 6), date(2026, 7, 10), " loma ")
    assert (absence.starts_at, absence.ends_at) == (local(date(2026, 7, 6), t(0)), local(date(2026, 7, 11), t(0)))
    assert absence.reason == "loma" and covered == []
    one_day, _ = hours.add_absence(worker, worker, date(2026, 10, 25))  # the autumn change: a 25-hour day
    assert one_day.ends_at - one_day.starts_at == timedelta(hours=25)


def test_absence_with_times(db, worker):
    absence, _ = hours.add_absence(worker, worker, MONDAY, MONDAY, start_time=t(12), end_time=t(14))
    assert (absence.starts_at, absence.ends_at) == (local(MONDAY, t(12)), local(MONDAY, t(14)))
    with pytest.raises(hours.HoursError):
        hours.add_absence(worker, worker, MONDAY, MONDAY, start_time=t(14), end_time=t(12))


@pytest.mark.parametrize(("start", "end", "message"), [
    (date(2026, 7, 10), date(2026, 7, 6), "before its first day"),
    (date(2026, 7, 6), date(2027, 7, 6), "at most a year"),
    (date(2028, 2, 29), date(2029, 2, 28), "at most a year"),
])
def test_bad_absences_are_refused(db, worker, english, start, end, message):
    with pytest.raises(hours.HoursError, match=message):
        hours.add_absence(worker, worker, start, end)
    assert db.session.scalar(select(Absence)) is None


def test_absence_of_almost_a_year_is_allowed(db, worker):
    hours.add_absence(worker, worker, date(2026, 7, 6), date(2027, 7, 5))


def test_absence_lists_covered_appointments_and_warns_when_booking(db, worker, enrolment, add_appointment,
                                                                    english):
    inside = add_appointment(local(MONDAY, t(10)), workers=(worker,), client=enrolment.client)
    add_appointment(local(MONDAY + timedelta(days=7), t(10)), workers=(worker,))
    add_appointment(local(MONDAY, t(12)), workers=(worker,), blocking=False)  # cancelled
    _, covered = hours.add_absence(worker, worker, MONDAY, MONDAY + timedelta(days=4), "loma")
    assert covered == [inside]
    request = BookingRequest(enrolment=enrolment, contact_type="coordinator-meeting", modality=Modality.RECEPTION,
                             starts_at=local(MONDAY + timedelta(days=1), t(10)), minutes=45)
    with pytest.raises(NeedsConfirmation, match="away"):
        book(worker, request, now=NOW)


def test_upcoming_absences_with_what_they_cover(db, worker, add_appointment):
    booked = add_appointment(local(MONDAY, t(10)), workers=(worker,))
    hours.add_absence(worker, worker, date(2026, 11, 1), date(2026, 11, 5))  # over before NOW
    current, _ = hours.add_absence(worker, worker, date(2026, 11, 20), MONDAY)
    later, _ = hours.add_absence(worker, worker, date(2026, 12, 1))
    views = hours.upcoming_absences(worker, NOW)
    assert [(v.absence, v.first_day, v.last_day, v.whole_days, v.covered) for v in views] == [
        (current, date(2026, 11, 20), MONDAY, True, [booked]), (later, date(2026, 12, 1), date(2026, 12, 1), True, [])]


def test_remove_absence_only_own(db, worker, create_staff):
    absence, _ = hours.add_absence(worker, worker, MONDAY)
    with pytest.raises(PermissionError):
        hours.remove_absence(create_staff(Role.WORKER), absence)
    hours.remove_absence(worker, absence)
    assert db.session.scalar(select(Absence)) is None


# --- the pages ------------------------------------------------------------------------------------

def grid(**values) -> dict:
    data = {f"d{d}_{p}_{i}": "" for d in range(7) for i in range(2) for p in ("start", "end")}
    data.update(values)
    return data


def test_hours_page_shows_the_default_and_saves(client, db, login, worker):
    login(worker)
    body = client.get(HOURS).get_data(as_text=True)
    assert "the default applies" in body and 'value="08:00"' in body and 'value="16:00"' in body
    response = client.post(HOURS, data=grid(d0_start_0="9:00", d0_end_0="15:00", d2_start_0="08:00",
                                            d2_end_0="11:30", d2_start_1="12:00", d2_end_1="16:00"))
    assert response.status_code == 302
    assert saved(db, worker) == [(0, t(9), t(15)), (2, t(8), t(11, 30)), (2, t(12), t(16))]
    body = client.get(HOURS).get_data(as_text=True)
    assert "the default applies" not in body and "Your working hours were saved." in body


@pytest.mark.parametrize(("values", "message"), [
    ({"d0_start_0": "16:00", "d0_end_0": "8:00"}, "after its start"),
    ({"d1_start_0": "8:00", "d1_end_0": "12:00", "d1_start_1": "11:00", "d1_end_1": "16:00"}, "may not overlap"),
    ({"d0_start_0": "8:07", "d0_end_0": "16:00"}, "steps of five minutes"),
    ({"d0_start_0": "eight", "d0_end_0": "16:00"}, "hours and minutes"),
    ({"d0_start_0": "25:00", "d0_end_0": "16:00"}, "hours and minutes"),
    ({"d0_start_0": "8:00"}, "both the start and the end"),
    ({"d4_start_0": "", "d4_end_0": ""}, "at least one day"),
])
def test_hours_page_refuses_and_keeps_the_input(client, db, login, worker, values, message):
    login(worker)
    response = client.post(HOURS, data={**grid(d4_start_0="09:15", d4_end_0="14:45"), **values})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    if "d4_start_0" not in values:
        assert 'value="09:15"' in body and 'value="14:45"' in body
    assert saved(db, worker) == []


def test_absence_page_adds_lists_and_links_covered_appointments(client, db, login, worker, add_appointment):
    appointment = add_appointment(local(MONDAY, t(10)), workers=(worker,))
    login(worker)
    assert "You have no upcoming absences." in client.get(ABSENCES).get_data(as_text=True)
    response = client.post(ABSENCES, data={"start_day": "2026-11-23", "end_day": "2026-11-27", "reason": "Loma"})
    assert response.status_code == 302
    body = client.get(ABSENCES).get_data(as_text=True)
    assert "The absence was added." in body and "covers booked appointments (1)" in body
    assert "Loma" in body and "/work/calendar/?date=2026-11-23" in body
    absence = db.session.scalar(select(Absence))
    assert (absence.starts_at, absence.ends_at) == (local(MONDAY, t(0)), local(date(2026, 11, 28), t(0)))
    assert appointment.id  # still booked: the absence warns, it does not cancel


@pytest.mark.parametrize(("data", "message"), [
    ({"start_day": "", "end_day": "", "reason": "x"}, "Enter the first day"),
    ({"start_day": "23.11.2026", "end_day": "", "reason": "x"}, "year-month-day"),
    ({"start_day": "2026-11-27", "end_day": "2026-11-23", "reason": "x"}, "before its first day"),
    ({"start_day": "2026-11-23", "end_day": "2028-01-01", "reason": "x"}, "at most a year"),
    ({"start_day": "2026-11-23", "end_day": "", "reason": "x" * 201}, "at most 200 characters"),
])
def test_absence_page_refuses_and_keeps_the_input(client, db, login, worker, data, message):
    login(worker)
    response = client.post(ABSENCES, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert f'value="{data["start_day"]}"' in body
    assert db.session.scalar(select(Absence)) is None


def test_remove_absence_route(client, db, login, worker, create_staff):
    other = create_staff(Role.WORKER)
    theirs, _ = hours.add_absence(other, other, MONDAY)
    mine, _ = hours.add_absence(worker, worker, MONDAY)
    login(worker)
    assert client.post(f"{ABSENCES}/{theirs.id}/remove").status_code == 403
    assert client.post(f"{ABSENCES}/99999/remove").status_code == 404
    assert client.post(f"{ABSENCES}/{mine.id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Absence)).all() == [theirs]


@pytest.mark.parametrize("role", [Role.WORKER, Role.CARE_COORDINATOR, Role.TEAM_LEAD])
def test_casework_roles_reach_their_pages(client, login, create_staff, role):
    login(create_staff(role))
    assert client.get(HOURS).status_code == 200
    assert client.get(ABSENCES).status_code == 200


def test_others_are_refused(client, db, login, worker, create_staff, create_client):
    absence, _ = hours.add_absence(worker, worker, MONDAY)
    urls = [HOURS, ABSENCES]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    assert client.post(f"{ABSENCES}/{absence.id}/remove").status_code == 302
    login(create_staff(Role.ADMIN))
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, data={}).status_code == 403
    assert client.post(f"{ABSENCES}/{absence.id}/remove").status_code == 403
    client.post("/logout")
    other = create_client()
    db.session.commit()
    client.post("/login", data={"email": other.user.email, "password": "correct horse battery staple"})
    assert client.get(HOURS).status_code == 403
    assert db.session.scalar(select(Absence)) is not None


def test_calendar_links_to_both_pages(client, login, worker):
    login(worker)
    body = client.get("/work/calendar/").get_data(as_text=True)
    assert f'href="{HOURS}"' in body and f'href="{ABSENCES}"' in body
