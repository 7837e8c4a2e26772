"""The client's appointment pages: what they see, confirming, cancelling up to the cut-off, asking for a change."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import signals
from portal.appointments import operations
from portal.audit.models import AuditAction, AuditRecord
from portal.db import utcnow
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import AppointmentStatus, ChangeRequest
from tests.appointments import hours_from_now, make_appointment
from tests.me import conftest as client_pages

worker, me = client_pages.worker, client_pages.me  # the fixtures of the client's own pages (tests/me)


@pytest.fixture
def other(create_client):
    return create_client()


@pytest.fixture
def signed_in(login, me):
    return login(me.user)


@contextmanager
def caught(signal):
    calls = []

    def receiver(sender, **kwargs):
        # Ids only: the objects belong to the request's session, gone when the request ends.
        calls.append((sender.id, {name: value.id for name, value in kwargs.items()}))

    with signal.connected_to(receiver):
        yield calls


def book(db, worker, client, hours=72, **extra):
    """An appointment, committed: each request reads the database in its own session."""
    appointment = make_appointment(db, hours_from_now(hours), (worker,), (client,), **extra)
    db.session.commit()
    return appointment


def page(client, url="/me/appointments"):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- the list -------------------------------------------------------------------------------------

def test_lists_upcoming_and_past_with_what_the_client_needs(db, client, worker, me, other, signed_in):
    video = book(db, worker, me, 72, modality=Modality.VIDEO)
    visit = book(db, worker, me, 96, modality=Modality.HOME_VISIT, place="Kotikatu 1, Helsinki")
    past = book(db, worker, me, -72, status=AppointmentStatus.HELD)
    book(db, worker, other, 120, place="Someone else's street")
    body = page(client)
    assert "Sanna Virtanen" in body and "Guidance meeting" in body
    assert "Video link in Silta" in body and "Kotikatu 1, Helsinki" in body
    assert "Someone else's street" not in body
    assert body.index(f"appointment-{video.id}") < body.index(f"appointment-{visit.id}")
    assert "Past appointments" in body and "Held" in body
    assert f"/me/appointments/{past.id}/change" not in body


def test_actions_follow_the_state(db, client, worker, me, signed_in):
    booked = book(db, worker, me, 72)
    soon = book(db, worker, me, 3)
    cancelled = book(db, worker, me, 100, status=AppointmentStatus.CANCELLED)
    body = page(client)
    assert f"/me/appointments/{booked.id}/confirm" in body and f"/me/appointments/{booked.id}/cancel" in body
    assert f"/me/appointments/{soon.id}/confirm" in body and f"/me/appointments/{soon.id}/cancel" not in body
    assert "Please call your worker instead" in body
    assert f"/me/appointments/{cancelled.id}/confirm" not in body
    assert f"/me/appointments/{cancelled.id}/change" not in body


def test_only_clients_have_appointment_pages(app, client, login, worker):
    assert client.get("/me/appointments").status_code == 302
    login(worker)
    assert client.get("/me/appointments").status_code == 403


# --- confirming -----------------------------------------------------------------------------------

def test_confirm(db, client, worker, me, signed_in):
    appointment = book(db, worker, me)
    with caught(signals.appointment_changed) as calls:
        response = client.post(f"/me/appointments/{appointment.id}/confirm", follow_redirects=True)
    assert "Thank you" in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status is AppointmentStatus.CONFIRMED
    assert calls and calls[0][0] == me.user_id
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "appointment"))
    assert (entry.action, entry.actor_id, entry.client_id) == (AuditAction.UPDATE, me.user_id, me.id)


@pytest.mark.parametrize(("status", "message"), [
    (AppointmentStatus.CONFIRMED, "You have already confirmed this appointment."),
    (AppointmentStatus.CANCELLED, "This appointment is no longer active."),
])
def test_confirm_refused_with_a_message(db, client, worker, me, signed_in, status, message):
    appointment = book(db, worker, me, status=status)
    response = client.post(f"/me/appointments/{appointment.id}/confirm", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status is status


# --- cancelling -----------------------------------------------------------------------------------

def test_cancel_before_the_cutoff(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, 25)
    with caught(signals.appointment_cancelled) as calls:
        response = client.post(f"/me/appointments/{appointment.id}/cancel", follow_redirects=True)
    assert "The appointment was cancelled" in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status is AppointmentStatus.CANCELLED and len(calls) == 1
    assert not any(p.blocking for p in appointment.participants)


def test_cancel_after_the_cutoff_says_to_call(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, 23)
    response = client.post(f"/me/appointments/{appointment.id}/cancel", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "less than 24 hours away" in body and "Please call your worker instead" in body
    db.session.refresh(appointment)
    assert appointment.status is AppointmentStatus.BOOKED


@pytest.mark.parametrize("app_config", [{"CLIENT_CANCEL_CUTOFF_HOURS": 2}])
def test_cutoff_is_configurable(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, 3)
    client.post(f"/me/appointments/{appointment.id}/cancel")
    db.session.refresh(appointment)
    assert appointment.status is AppointmentStatus.CANCELLED


def test_cancel_a_cancelled_one(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, status=AppointmentStatus.CANCELLED)
    response = client.post(f"/me/appointments/{appointment.id}/cancel", follow_redirects=True)
    assert "This appointment is no longer active." in response.get_data(as_text=True)


def test_actions_at_the_cutoff_boundary(app, db, worker, me):
    appointment = book(db, worker, me, 48)
    now = appointment.starts_at - timedelta(hours=24)
    assert operations.client_actions(appointment, now).cancel
    late = operations.client_actions(appointment, now + timedelta(minutes=1))
    assert not late.cancel and late.too_late_to_cancel and late.confirm and late.change
    over = operations.client_actions(appointment, appointment.starts_at)
    assert not (over.cancel or over.too_late_to_cancel or over.confirm or over.change)


# --- asking for a change --------------------------------------------------------------------------

def test_change_offers_other_ways_and_always_a_home_visit(db, client, worker, me, signed_in):
    video = book(db, worker, me, 72, modality=Modality.VIDEO)
    visit = book(db, worker, me, 96, modality=Modality.HOME_VISIT)
    body = page(client, f"/me/appointments/{video.id}/change")
    assert 'value="home_visit"' in body and 'value="phone"' in body and 'value="video"' not in body
    body = page(client, f"/me/appointments/{visit.id}/change")
    assert 'value="video"' in body and 'value="phone"' in body and 'value="home_visit"' not in body


def test_change_request_is_saved_audited_and_signalled(db, client, worker, me, signed_in):
    appointment = book(db, worker, me)
    with caught(signals.appointment_changed) as calls:
        response = client.post(f"/me/appointments/{appointment.id}/change", data={
            "preferred_times": "Tuesday mornings", "wants_modality": "home_visit", "message": ""})
    assert response.status_code == 302
    row = db.session.scalar(select(ChangeRequest))
    assert (row.preferred_times, row.wants_modality, row.message) == ("Tuesday mornings", Modality.HOME_VISIT, None)
    assert (row.client_id, row.requested_by_id) == (me.id, me.user_id)
    assert calls[0][1] == {"change_request": row.id, "appointment": appointment.id}
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "change_request"))
    assert entry.detail == {"fields": ["preferred_times", "wants_modality"]} and entry.client_id == me.id
    assert "Tuesday mornings" not in str(entry.detail)
    assert "You asked for a change on" in page(client)


def test_change_needs_a_time_or_a_way(db, client, worker, me, signed_in):
    appointment = book(db, worker, me)
    response = client.post(f"/me/appointments/{appointment.id}/change",
                           data={"preferred_times": "  ", "wants_modality": "", "message": "Keep this text"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please write which times would suit you" in body and "Keep this text" in body
    assert db.session.scalar(select(ChangeRequest)) is None


def test_change_keeps_input_when_too_long(db, client, worker, me, signed_in):
    appointment = book(db, worker, me)
    response = client.post(f"/me/appointments/{appointment.id}/change",
                           data={"preferred_times": "x" * 1001, "wants_modality": "phone", "message": "Hello"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Hello" in body
    assert 'value="phone" selected' in body or 'selected value="phone"' in body


def test_change_refuses_an_offered_way_it_does_not_offer(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, modality=Modality.VIDEO)
    response = client.post(f"/me/appointments/{appointment.id}/change", data={"wants_modality": "video"})
    assert response.status_code == 400


def test_change_of_an_inactive_appointment(db, client, worker, me, signed_in):
    appointment = book(db, worker, me, status=AppointmentStatus.CANCELLED)
    response = client.get(f"/me/appointments/{appointment.id}/change", follow_redirects=True)
    assert "This appointment is no longer active." in response.get_data(as_text=True)


def test_request_change_operation_refuses_past(app, db, worker, me):
    appointment = book(db, worker, me, 1)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(operations.AppointmentRefused):
        operations.request_change(me.user, me, appointment, "any time", None, now=utcnow() + timedelta(hours=2))


# --- whose appointment ----------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/confirm"), ("POST", "/cancel"), ("GET", "/change"), ("POST", "/change"), ("GET", ".ics"),
])
def test_someone_elses_appointment_is_forbidden(db, client, worker, me, other, signed_in, method, path):
    theirs = book(db, worker, other)
    assert client.open(f"/me/appointments/{theirs.id}{path}", method=method).status_code == 403
    assert client.open(f"/me/appointments/999999{path}", method=method).status_code == 404
    db.session.refresh(theirs)
    assert theirs.status is AppointmentStatus.BOOKED
