"""The worker's calendar and booking, through the routes: views, rules, edge cases and access."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.people.models import OrgUnit
from portal.programmes.definitions_schema import Modality
from portal.scheduling import operations, queries, routes
from portal.scheduling.models import Appointment, AppointmentStatus, Participant, ParticipantRole
from portal.scheduling.operations import BookingRequest
from portal.scheduling.timeutil import local

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
MONDAY = date(2026, 11, 23)
BOOK = "/work/calendar/book/{}"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """The pages and operations all read the clock through utcnow: fix it, so dates in tests stay future."""
    for module in (operations, queries, routes):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna Virtanen", locale="en")


@pytest.fixture
def enrolment(db, worker, create_client, create_enrolment):
    return create_enrolment(create_client(), coordinator=worker, programme="many-services")


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return local(d, time(hour, minute))


def book_directly(actor, enrolment, starts_at, **extra):
    request = BookingRequest(enrolment=enrolment, contact_type="coordinator-meeting", modality=Modality.RECEPTION,
                             starts_at=starts_at, minutes=45, **extra)
    appointment, _ = operations.book(actor, request, now=NOW)
    return appointment


def form(**changes) -> dict:
    data = {"contact_type": "coordinator-meeting", "modality": "reception", "day": MONDAY.isoformat(),
            "time": "10:00", "minutes": "", "place": "", "second_worker": "", "weeks": "1"}
    data.update(changes)
    return data


def appointments(db) -> list[Appointment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Appointment).order_by(Appointment.starts_at)))


def reads(db, feature="scheduling") -> list[AuditRecord]:
    return list(db.session.scalars(select(AuditRecord).where(AuditRecord.feature == feature,
                                                             AuditRecord.action == AuditAction.READ)))


# --- the calendar ---------------------------------------------------------------------------------

def test_day_view_shows_the_workers_appointments(client, db, login, worker, enrolment):
    appointment = book_directly(worker, enrolment, at(MONDAY, 10), place="Room 3")
    login(worker)
    body = client.get(f"/work/calendar/?date={MONDAY}").get_data(as_text=True)
    assert "Monday, 23 November 2026" in body  # British English dates (issue 16), not US
    assert "10:00–10:45" in body  # Helsinki time, not UTC (8:00)
    assert enrolment.client.full_name in body and "Room 3" in body
    assert "Care-coordinator meeting" in body and "Visit at the office" in body and "Booked" in body
    assert "08:00–16:00" in body  # working hours
    assert [(r.object_type, r.object_id, r.client_id) for r in reads(db)] == [
        ("appointment", str(appointment.id), enrolment.client_id)]


def test_week_view_has_a_heading_per_day_and_marks_holidays(client, login, worker):
    login(worker)
    body = client.get("/work/calendar/?view=week&date=2026-12-24").get_data(as_text=True)
    for day in range(21, 28):
        assert f'id="day-2026-12-{day}"' in body
    assert body.count("<h2 id=\"day-") == 7
    assert "Christmas Eve" in body and "Christmas Day" in body and "Public holiday" in body
    assert "Week 52" in body
    assert 'href="/work/calendar/?view=week&amp;date=2026-12-14"' in body  # previous week
    assert 'href="/work/calendar/?view=week&amp;date=2026-12-28"' in body  # next week


def test_without_a_date_the_calendar_shows_today(client, login, worker):
    login(worker)
    body = client.get("/work/calendar/").get_data(as_text=True)
    assert "Friday, 20 November 2026 (today)" in body
    assert 'href="/work/calendar/?view=day&amp;date=2026-11-19"' in body


@pytest.mark.parametrize("query", ["date=2026-13-01", "date=tomorrow", "date=20261123", "date=9999-12-31",
                                   "view=month"])
def test_a_bad_date_or_view_is_a_clear_400(client, login, worker, query):
    login(worker)
    response = client.get(f"/work/calendar/?{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The date in the address is not valid" in body or "a day or a week" in body


def test_spring_forward_day_has_23_hours_and_keeps_working_hours(client, login, worker, add_appointment):
    add_appointment(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), workers=(worker,))  # 04:00, just after the gap
    add_appointment(datetime(2026, 3, 28, 21, 30, tzinfo=UTC), workers=(worker,))  # Saturday 23:30
    login(worker)
    body = client.get("/work/calendar/?view=week&date=2026-03-29").get_data(as_text=True)
    sunday = body[body.index('id="day-2026-03-29"'):]
    assert "this day has 23 hours" in sunday and "04:00–05:00" in sunday
    saturday = body[body.index('id="day-2026-03-28"'):body.index('id="day-2026-03-29"')]
    assert "23:30" in saturday and "04:00" not in saturday
    monday = body[body.index('id="day-2026-03-23"'):body.index('id="day-2026-03-24"')]
    assert "08:00–16:00" in monday


def test_fall_back_day_has_25_hours_and_both_3_30s(client, login, worker, add_appointment):
    add_appointment(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), minutes=30, workers=(worker,))  # 03:30 summer time
    add_appointment(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), minutes=30, workers=(worker,))  # 03:30 winter time
    login(worker)
    body = client.get("/work/calendar/?date=2026-10-25").get_data(as_text=True)
    assert "this day has 25 hours" in body
    assert body.count("03:30–") == 2 and "Appointments: 2" in body


def test_other_workers_clients_and_group_sessions_are_not_named(client, db, login, worker, create_staff,
                                                                 create_client, create_enrolment, add_appointment):
    colleague = create_staff(Role.WORKER, in_unit=None)
    stranger = create_client()
    strange = create_enrolment(stranger, coordinator=colleague, programme="many-services", in_unit=_other_unit(db))
    book_directly(colleague, strange, at(MONDAY, 9), workers=[worker])
    group = add_appointment(at(MONDAY, 13), workers=(worker,), client=create_client())
    group.participants.append(Participant(role=ParticipantRole.CLIENT, client_id=stranger.id,
                                          person_key=f"c:{stranger.id}", busy_from=group.starts_at,
                                          busy_until=group.ends_at))
    db.session.flush()
    login(worker)
    body = client.get(f"/work/calendar/?date={MONDAY}").get_data(as_text=True)
    assert "Client not on your caseload" in body and stranger.full_name not in body
    assert "Group session (participants: 2)" in body
    assert f"With: {colleague.display_name}" in body
    assert reads(db) == []  # no client's details were shown


def test_calendar_is_for_case_workers_only(client, db, login, create_staff, create_client):
    assert client.get("/work/calendar/").status_code == 302  # anonymous: to the sign-in page
    login(create_staff(Role.ADMIN))
    assert client.get("/work/calendar/").status_code == 403
    client.post("/logout")
    login(create_client().user)
    assert client.get("/work/calendar/").status_code == 403


# --- the team's week ----------------------------------------------------------------------------

def test_team_lead_sees_every_case_worker_of_the_unit(client, db, login, worker, enrolment, create_staff):
    lead = create_staff(Role.WORKER, Role.TEAM_LEAD, name="Mikael Lindqvist", locale="en")
    create_staff(Role.QUEUE_COORDINATOR, name="Jonna Laine")
    outsider = create_staff(Role.WORKER, name="Other Unit", in_unit=_other_unit(db))
    appointment = book_directly(worker, enrolment, at(MONDAY, 10))
    login(lead)
    body = client.get(f"/work/calendar/team?date={MONDAY}").get_data(as_text=True)
    assert "Sanna Virtanen" in body and "Mikael Lindqvist" in body
    assert "Jonna Laine" not in body and outsider.display_name not in body
    assert f'id="worker-{worker.id}-2026-11-23"' in body and enrolment.client.full_name in body
    assert [r.object_id for r in reads(db)] == [str(appointment.id)]


def test_team_view_is_only_for_team_leads(client, login, worker):
    login(worker)
    assert client.get("/work/calendar/team").status_code == 403


# --- booking -----------------------------------------------------------------------------------

def test_booking_page_lists_the_programmes_contact_types(client, db, login, worker, enrolment):
    login(worker)
    response = client.get(BOOK.format(enrolment.id))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Care-coordinator meeting (45 min)" in body and "Plan review (60 min)" in body
    assert [(r.object_type, r.client_id) for r in reads(db)] == [("enrolment", enrolment.client_id)]


def test_group_sessions_are_not_booked_for_one_client(client, login, worker, create_client, create_enrolment):
    rehab = create_enrolment(create_client(birth_year=2004), coordinator=worker, programme="intensive-rehabilitation")
    login(worker)
    body = client.get(BOOK.format(rehab.id)).get_data(as_text=True)
    assert "Individual meeting" in body and 'value="group-session"' not in body


def test_booking_happy_path(client, db, login, worker, enrolment, create_staff):
    colleague = create_staff(Role.WORKER, name="Anna Korhonen")
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(place="Room 3", second_worker=str(colleague.id)))
    assert response.status_code == 302 and response.headers["Location"].endswith("/work/calendar/?date=2026-11-23")
    [appointment] = appointments(db)
    assert (appointment.starts_at, appointment.ends_at) == (at(MONDAY, 10), at(MONDAY, 10, 45))
    assert (appointment.place, appointment.modality, appointment.series_key) == ("Room 3", Modality.RECEPTION, None)
    assert {(p.role, p.user_id or p.client_id) for p in appointment.participants} == {
        (ParticipantRole.HOST, worker.id), (ParticipantRole.WORKER, colleague.id),
        (ParticipantRole.CLIENT, enrolment.client_id)}
    assert "The appointment was booked" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_length_can_be_typed(client, db, login, worker, enrolment):
    login(worker)
    assert client.post(BOOK.format(enrolment.id), data=form(minutes="90")).status_code == 302
    assert appointments(db)[0].ends_at == at(MONDAY, 11, 30)


def test_bad_input_keeps_what_was_typed_and_books_nothing(client, db, login, worker, enrolment):
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(time="", minutes="3", place="Kirjasto, 2. krs",
                                                                modality="home_visit", weeks="99"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kirjasto, 2. krs" in body and 'value="3"' in body and 'value="99"' in body
    assert '<option selected value="home_visit">' in body
    assert "Enter the time." in body and "between 5 minutes and 8 hours" in body and "between 1 and 26 weeks" in body
    assert 'id="time" name="time" required type="time" value=""' in body and 'aria-invalid="true"' in body
    assert appointments(db) == []


def test_forged_choices_are_refused(client, db, login, worker, enrolment, create_staff):
    outsider = create_staff(Role.WORKER, in_unit=_other_unit(db))
    login(worker)
    assert client.post(BOOK.format(enrolment.id), data=form(second_worker=str(outsider.id))).status_code == 400
    assert client.post(BOOK.format(enrolment.id), data=form(contact_type="karaoke")).status_code == 400
    assert appointments(db) == []


def test_a_time_in_the_spring_gap_is_a_clear_error(client, db, login, worker, enrolment):
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(day="2027-03-28", time="03:30", place="Koti"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "03:30 does not exist on 28 Mar 2027: the clocks go forward" in body
    assert 'value="03:30"' in body and 'value="2027-03-28"' in body and "Koti" in body
    assert appointments(db) == []


def test_a_past_time_is_refused_on_the_time_field(client, db, login, worker, enrolment):
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(day="2026-11-19"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#time">Time: The time has already passed.' in body
    assert appointments(db) == []


def test_a_double_booking_is_refused_with_a_message(client, db, login, worker, enrolment, create_client,
                                                     create_enrolment):
    other = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    book_directly(worker, other, at(MONDAY, 10))
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(time="10:30", place="Huone 2"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Someone taking part is already booked at that time." in body and "Huone 2" in body
    assert len(appointments(db)) == 1


def test_the_first_contact_rule_shows_above_the_form(client, db, login, worker, create_client, create_enrolment):
    guidance = create_enrolment(create_client(), coordinator=worker, programme="remote-guidance")
    login(worker)
    response = client.post(BOOK.format(guidance.id), data=form(contact_type="guidance-meeting", modality="video"))
    assert response.status_code == 400
    assert "The first meeting in this programme is held as: Home visit." in response.get_data(as_text=True)
    assert appointments(db) == []


def test_a_modality_the_contact_type_does_not_have_is_refused(client, db, login, worker, create_client,
                                                               create_enrolment):
    health = create_enrolment(create_client(), coordinator=worker, programme="health-social-work")
    login(worker)
    response = client.post(BOOK.format(health.id), data=form(contact_type="phone-call", modality="home_visit"))
    assert response.status_code == 400
    assert 'href="#modality">Way of meeting: This contact type cannot be held that way.' in response.get_data(
        as_text=True)


def test_warnings_need_an_urgent_confirmation(client, db, login, worker, enrolment):
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(time="19:00", place="Koti"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The time is outside Sanna Virtanen&#39;s working hours." in body
    assert 'name="urgent"' in body and "Urgent: book anyway" in body and "Koti" in body
    assert appointments(db) == []
    response = client.post(BOOK.format(enrolment.id), data=form(time="19:00", place="Koti", urgent="y"))
    assert response.status_code == 302
    assert [a.starts_at for a in appointments(db)] == [at(MONDAY, 19)]
    assert "Booked as urgent although" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_holiday_is_warned_about(client, db, login, worker, enrolment):
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(day="2026-12-24"))
    assert response.status_code == 400 and "The day is a public holiday." in response.get_data(as_text=True)


def test_weekly_series_books_free_weeks_and_reports_each_conflict(client, db, login, worker, enrolment,
                                                                   create_client, create_enrolment):
    other = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    book_directly(worker, other, at(date(2026, 12, 10), 10))
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(day="2026-12-03", weeks="4", modality="video"))
    assert response.status_code == 302 and "/series/" in response.headers["Location"]  # post/redirect/get
    response = client.get(response.headers["Location"])
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 of 4 appointments were booked." in body
    assert "Sanna Virtanen is already booked or away at that time." in body  # 10.12.
    assert "The day is a public holiday." in body  # 24.12., Christmas Eve
    series = [a for a in appointments(db) if a.enrolment_id == enrolment.id]
    assert [a.starts_at for a in series] == [at(date(2026, 12, 3), 10), at(date(2026, 12, 17), 10)]
    assert series[0].series_key and series[0].series_key == series[1].series_key


def test_series_over_the_spring_change_reports_the_missing_hour(client, db, login, worker, enrolment):
    db.session.add_all(_all_week_hours(worker))
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(day="2027-03-21", time="03:30", weeks="3"),
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 of 3 appointments were booked." in body and "This time does not exist on that day" in body
    assert [a.starts_at for a in appointments(db)] == [datetime(2027, 3, 21, 1, 30, tzinfo=UTC),
                                                       datetime(2027, 4, 4, 0, 30, tzinfo=UTC)]


def test_a_series_the_rules_refuse_books_nothing(client, db, login, worker, enrolment):
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(day="2026-11-16", weeks="3"))
    assert response.status_code == 400 and "The time has already passed." in response.get_data(as_text=True)
    assert appointments(db) == []


def test_free_times_are_found_and_fill_the_form(client, db, login, worker, enrolment, create_client,
                                                 create_enrolment):
    other = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    book_directly(worker, other, at(MONDAY, 8))
    login(worker)
    response = client.post(BOOK.format(enrolment.id), data=form(find="y", place="Huone 2"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Huone 2" in body
    assert 'name="slot" value="2026-11-23T08:45"' in body and 'value="2026-11-23T08:30"' not in body
    response = client.post(BOOK.format(enrolment.id), data=form(slot="2026-11-23T08:45", time="", place="Huone 2"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "The time was filled in" in body
    assert 'value="08:45"' in body and "Huone 2" in body
    assert len(appointments(db)) == 1  # finding and picking book nothing


def test_booking_access(client, db, login, worker, enrolment, create_staff, create_client, create_enrolment):
    foreign = create_enrolment(create_client(), coordinator=create_staff(Role.WORKER), in_unit=_other_unit(db))
    login(worker)
    assert client.get(BOOK.format(foreign.id)).status_code == 403
    assert client.post(BOOK.format(foreign.id), data=form()).status_code == 403
    assert client.get(BOOK.format(999_999)).status_code == 404
    client.post("/logout")
    assert client.get(BOOK.format(enrolment.id)).status_code == 302
    login(create_staff(Role.ADMIN))
    assert client.get(BOOK.format(enrolment.id)).status_code == 403
    client.post("/logout")
    login(enrolment.client.user)
    assert client.post(BOOK.format(enrolment.id), data=form()).status_code == 403
    assert appointments(db) == []


# --- cancelling --------------------------------------------------------------------------------

def test_host_cancels_and_goes_back(client, db, login, worker, enrolment):
    appointment = book_directly(worker, enrolment, at(MONDAY, 10))
    login(worker)
    response = client.post(f"/work/calendar/appointments/{appointment.id}/cancel",
                           data={"reason": "Asiakas sairastui", "next": "/work/calendar/?view=week"})
    assert response.status_code == 302 and response.headers["Location"] == "/work/calendar/?view=week"
    db.session.expire_all()
    cancelled = db.session.get(Appointment, appointment.id)
    assert (cancelled.status, cancelled.cancel_reason) == (AppointmentStatus.CANCELLED, "Asiakas sairastui")
    assert "The appointment was cancelled." in client.get("/work/calendar/").get_data(as_text=True)
    again = client.post(f"/work/calendar/appointments/{appointment.id}/cancel", data={"next": "https://evil.test/"})
    assert again.headers["Location"] == "/work/calendar/?date=2026-11-23"
    assert "no longer active" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_too_long_reason_cancels_nothing(client, db, login, worker, enrolment):
    appointment = book_directly(worker, enrolment, at(MONDAY, 10))
    login(worker)
    response = client.post(f"/work/calendar/appointments/{appointment.id}/cancel", data={"reason": "x" * 1001})
    assert response.status_code == 302
    assert "at most 1000 characters" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status is AppointmentStatus.BOOKED


def test_deputy_who_sees_the_client_may_cancel(client, db, login, worker, create_staff, create_client,
                                               create_enrolment):
    deputy = create_staff(Role.CARE_COORDINATOR)
    shared = create_enrolment(create_client(), coordinator=worker, deputy=deputy, programme="many-services")
    appointment = book_directly(worker, shared, at(MONDAY, 10))
    login(deputy)
    assert client.post(f"/work/calendar/appointments/{appointment.id}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status is AppointmentStatus.CANCELLED


def test_cancel_access(client, db, login, worker, enrolment, create_staff):
    appointment = book_directly(worker, enrolment, at(MONDAY, 10))
    url = f"/work/calendar/appointments/{appointment.id}/cancel"
    assert client.post(url).status_code == 302 and client.post(url).headers["Location"].startswith("/login")
    login(create_staff(Role.WORKER, in_unit=_other_unit(db)))
    assert client.post(url).status_code == 403
    assert client.post("/work/calendar/appointments/999999/cancel").status_code == 404
    client.post("/logout")
    login(enrolment.client.user)
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status is AppointmentStatus.BOOKED


def test_cancel_is_offered_only_where_allowed(client, db, login, worker, enrolment, create_staff, create_client,
                                              create_enrolment):
    colleague = create_staff(Role.WORKER, in_unit=_other_unit(db))
    foreign = create_enrolment(create_client(), coordinator=colleague, programme="many-services",
                               in_unit=_other_unit(db))
    mine = book_directly(worker, enrolment, at(MONDAY, 10))
    theirs = book_directly(colleague, foreign, at(MONDAY, 13), workers=[worker])  # a participant may cancel
    login(worker)
    body = client.get(f"/work/calendar/?date={MONDAY}").get_data(as_text=True)
    assert f"/appointments/{mine.id}/cancel" in body and f"/appointments/{theirs.id}/cancel" in body
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2


def _other_unit(db) -> OrgUnit:
    unit = OrgUnit(code=f"elsewhere-{db.session.scalar(select(func.count()).select_from(OrgUnit))}",
                   name_fi="Muu", name_sv="Annan", name_en="Other", county="Muu")
    db.session.add(unit)
    db.session.flush()
    return unit


def _all_week_hours(worker):
    from portal.scheduling.models import WorkingHours

    return [WorkingHours(user_id=worker.id, weekday=w, starts=time(0), ends=time(23, 59)) for w in range(7)]


def test_names_in_messages_are_escaped(client, db, login, create_staff, create_client, create_enrolment):
    # Lazy translated strings count as safe HTML in Jinja: the templates must turn them into text first.
    worker = create_staff(Role.WORKER, name="Sanna <i>V</i>", locale="en")
    enrolment = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    other = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    book_directly(worker, other, at(date(2026, 11, 30), 10))
    login(worker)
    warned = client.post(BOOK.format(enrolment.id), data=form(time="19:00")).get_data(as_text=True)
    series = client.post(BOOK.format(enrolment.id), data=form(weeks="2"), follow_redirects=True).get_data(as_text=True)
    for body in (warned, series):
        assert "Sanna &lt;i&gt;V&lt;/i&gt;" in body and "<i>V</i>" not in body
