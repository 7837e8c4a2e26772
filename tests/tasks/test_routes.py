"""The worker's first screen, handling a request from it, the client's card, the caseload's attention column."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.auth.models import Role
from portal.scheduling.timeutil import as_helsinki
from portal.tasks.models import Task, TaskState
from tests.tasks.test_tasks import NOW, _appointment, _ask_change


@pytest.fixture
def people(db, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER, name="Sanna", locale="en")
    aino = create_client()
    aino.user.locale = "en"
    enrolment = create_enrolment(aino, coordinator=worker, start_on=date.today() - timedelta(days=60))
    appointment, _change = _ask_change(db, aino, enrolment, worker)
    db.session.commit()
    return worker, aino, enrolment, appointment


def test_the_worker_lands_on_their_day_with_the_request_in_the_clients_words(db, client, people):
    from tests.conftest import PASSWORD

    db.session.commit()
    response = client.post("/login", data={"email": people[0].email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/work/today")
    page = client.get("/work/today").get_data(as_text=True)
    assert "I cannot come by bus that week" in page and 'data-task-kind="change_request"' in page
    assert 'data-attention="change_request"' in page  # and among what needs attention


def test_book_the_new_time_from_the_request_and_the_client_reads_the_outcome(app, db, client, login, people):
    worker, aino, enrolment, appointment = people
    task = db.session.query(Task).one()
    login(worker)
    form = client.get(f"/work/tasks/{task.id}/move").get_data(as_text=True)
    assert "Thursdays after two" in form
    new_start = as_helsinki(NOW + timedelta(days=8)).replace(hour=14, minute=0, second=0)
    response = client.post(f"/work/tasks/{task.id}/move", data={
        "day": new_start.date().isoformat(), "time": "14:00", "modality": "phone", "urgent": "y",
        "reply": "Call you then"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    again = client.post(f"/work/tasks/{task.id}/handle", data={"reply": "twice"}, follow_redirects=True)
    assert "already handled by Sanna" in again.get_data(as_text=True)
    stale = client.get(f"/work/tasks/{task.id}/move", follow_redirects=True)  # from a list opened before
    assert stale.request.path == "/work/today" and "already handled by Sanna" in stale.get_data(as_text=True)
    client.post("/logout")
    login(aino.user)
    card = client.get("/me/appointments").get_data(as_text=True)
    assert "Sanna moved this to" in card and "Call you then" in card


def test_an_outside_worker_cannot_see_or_handle_the_request(db, client, login, create_staff, people):
    task = db.session.query(Task).one()
    login(create_staff(Role.WORKER))
    assert client.get(f"/work/tasks/{task.id}/move").status_code == 403
    assert client.post(f"/work/tasks/{task.id}/handle", data={"reply": "x"}).status_code == 403
    assert db.session.get(Task, task.id).state is TaskState.NEW
    assert "I cannot come by bus" not in client.get("/work/today").get_data(as_text=True)


def test_a_reply_too_long_is_refused_and_nothing_is_saved(db, client, login, people):
    task = db.session.query(Task).one()
    login(people[0])
    page = client.post(f"/work/tasks/{task.id}/handle", data={"reply": "x" * 1001}, follow_redirects=True)
    assert "at most 1000 characters" in page.get_data(as_text=True)
    assert db.session.get(Task, task.id).state is TaskState.NEW


def test_the_caseload_and_the_client_page_show_attention_coming_meetings_and_requests(db, client, login, people):
    worker, aino, enrolment, appointment = people
    _appointment(db, enrolment, worker, NOW - timedelta(days=1))  # to record
    db.session.commit()
    login(worker)
    listing = client.get("/work").get_data(as_text=True)
    assert 'data-attention="change_request"' in listing and 'data-attention="to_record"' in listing
    page = client.get(f"/work/clients/{aino.id}").get_data(as_text=True)
    assert "Coming meetings" in page and "Open requests" in page and "I cannot come by bus" in page


def test_call_me_instead_from_the_waiting_room_is_a_task_for_the_worker(db, client, login, people):
    from portal.programmes.definitions_schema import Modality
    from portal.scheduling.operations import BookingRequest, book
    from tests.video_rooms.test_routes import open_room

    worker, aino, enrolment, _appointment_row = people
    starts = (NOW + timedelta(minutes=20)).replace(second=0)
    appointment, _ = book(worker, BookingRequest(enrolment=enrolment, contact_type="guidance-meeting",
                                                 modality=Modality.VIDEO, starts_at=starts, minutes=45, urgent=True))
    db.session.commit()
    login(aino.user)
    key = open_room(client, appointment).rsplit("/", 1)[1]
    assert client.post(f"/video/r/{key}/fallback", json={"choice": "phone"}).status_code == 200
    task = db.session.query(Task).filter_by(appointment_id=appointment.id).one()
    assert task.kind.value == "phone_instead" and task.phone == aino.phone


def test_the_client_reads_the_answer_to_a_callback_request_under_your_requests(db, client, login, people,
                                                                              create_client, create_enrolment):
    """A callback has no appointment card: the answer was only a notice. Now the messages page and, while it is
    fresh, the home page show the request in the client's words, its state and the worker's reply."""
    worker, aino, enrolment, _appointment_row = people
    login(aino.user)
    sent = client.post(f"/messages/enrolments/{enrolment.id}/callback",
                       data={"preferred_times": "Weekday mornings before ten", "phone": "+358401112223"})
    assert sent.status_code == 302
    page = client.get("/me/messages").get_data(as_text=True)
    callback = db.session.query(Task).filter_by(kind="callback").one()
    assert f'data-request="{callback.id}" data-state="new"' in page and "Weekday mornings before ten" in page
    assert "Waiting for your worker&#39;s answer" in page
    client.post("/logout")
    login(worker)
    client.post(f"/work/tasks/{callback.id}/handle", data={"reply": "I will call you on Tuesday at nine"})
    client.post("/logout")
    login(aino.user)
    for path in ("/me/messages", "/me"):
        page = client.get(path).get_data(as_text=True)
        assert f'data-request="{callback.id}" data-state="handled"' in page, path
        assert "I will call you on Tuesday at nine" in page and "Sanna has handled your request." in page
        assert "I cannot come by bus that week" in page  # the open change request is there too, in their words
    client.post("/logout")
    other = create_client()
    create_enrolment(other, coordinator=worker)
    db.session.commit()
    login(other.user)
    assert "Your requests" not in client.get("/me/messages").get_data(as_text=True)
    assert "I will call you" not in client.get("/me").get_data(as_text=True)


def test_your_requests_keeps_the_open_ones_and_the_lately_answered(db, people):
    from portal.tasks import queries

    worker, aino, enrolment, _appointment_row = people
    [change] = db.session.query(Task).all()
    old = Task(kind="callback", enrolment_id=enrolment.id, client_id=aino.id, preferred_times="any",
               state=TaskState.HANDLED, created_at=NOW - timedelta(days=12), handled_at=NOW - timedelta(days=10),
               handled_by_id=worker.id)
    db.session.add(old)
    db.session.flush()
    assert [t.id for t in queries.for_client(aino.id, NOW)] == [change.id, old.id]  # newest first
    assert [t.id for t in queries.for_client(aino.id, NOW, days=queries.HOME_DAYS)] == [change.id]
    assert [t.id for t in queries.for_client(aino.id, NOW + timedelta(days=40))] == [change.id]  # open: stays
