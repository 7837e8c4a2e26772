"""Cancelling asks first: a page with the appointment and an optional reason; only the confirmed form cancels."""

from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.scheduling.models import AppointmentStatus
from tests.appointments import hours_from_now, make_appointment


@pytest.fixture
def booked(db, create_staff, create_client, create_enrolment, login):
    worker = create_staff(Role.WORKER, name="Sanna Virtanen")
    me = create_client()
    me.user.locale = "en"
    create_enrolment(me, coordinator=worker)
    appointment = make_appointment(db, hours_from_now(48), (worker,), (me,))
    login(me.user)
    return appointment


def test_the_list_links_to_a_confirmation_that_cancels_nothing(db, client, booked):
    assert f'href="/me/appointments/{booked.id}/cancel"' in client.get("/me/appointments").get_data(as_text=True)
    page = client.get(f"/me/appointments/{booked.id}/cancel").get_data(as_text=True)
    assert "Cancel the appointment?" in page and "Why are you cancelling? (optional)" in page
    assert "Keep the appointment" in page
    db.session.refresh(booked)
    assert booked.status is AppointmentStatus.BOOKED


def test_the_reason_is_saved_with_the_cancellation(db, client, booked):
    response = client.post(f"/me/appointments/{booked.id}/cancel", data={"reason": "  Olen kipeänä  "})
    assert response.status_code == 302
    db.session.refresh(booked)
    assert booked.status is AppointmentStatus.CANCELLED and booked.cancel_reason == "Olen kipeänä"


def test_a_too_long_reason_keeps_the_text_and_cancels_nothing(db, client, booked):
    response = client.post(f"/me/appointments/{booked.id}/cancel", data={"reason": "x" * 5000})
    assert response.status_code == 400 and "x" * 100 in response.get_data(as_text=True)
    db.session.refresh(booked)
    assert booked.status is AppointmentStatus.BOOKED


def test_an_appointment_too_soon_offers_no_confirmation(db, client, booked):
    booked.starts_at, booked.ends_at = hours_from_now(2), hours_from_now(3)
    db.session.commit()
    response = client.get(f"/me/appointments/{booked.id}/cancel", follow_redirects=True)
    assert "Please call your worker instead" in response.get_data(as_text=True)
