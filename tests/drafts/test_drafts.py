"""Server-side drafts: text typed into a callback request, a change request or a plan comment survives the
session (saved as typed, shown when the form opens again after signing in, dropped when the form is sent)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role
from portal.drafts.models import FormDraft
from tests.appointments import hours_from_now, make_appointment


@pytest.fixture
def setup(db, create_staff, create_client, create_enrolment, login):
    worker = create_staff(Role.CARE_COORDINATOR, name="Sanna Virtanen")
    me = create_client()
    me.user.locale = "en"
    enrolment = create_enrolment(me, coordinator=worker)
    appointment = make_appointment(db, hours_from_now(48), (worker,), (me,))
    login(me.user)
    return enrolment, appointment, me


def _drafts(db) -> int:
    return db.session.scalar(select(func.count()).select_from(FormDraft))


def test_a_callback_request_survives_a_new_sign_in_and_goes_when_sent(db, client, setup, login, app):
    enrolment, _appointment, me = setup
    key = f"/drafts/callback:{enrolment.id}"
    saved = client.post(key, data={"preferred_times": "Tiistaina iltapäivällä", "phone": ""})
    assert saved.get_json() == {"saved": True}
    client.post("/logout")
    login(me.user)
    page = client.get(f"/messages/enrolments/{enrolment.id}/callback").get_data(as_text=True)
    assert "Tiistaina iltapäivällä" in page and 'data-draft-url="' + key in page
    sent = client.post(f"/messages/enrolments/{enrolment.id}/callback", data={"preferred_times": "Tiistaina"})
    assert sent.status_code == 302 and _drafts(db) == 0


def test_a_change_request_and_a_plan_comment_keep_their_text(db, client, setup):
    enrolment, appointment, _me = setup
    client.post(f"/drafts/change-request:{appointment.id}", data={"preferred_times": "Aamulla", "message": "Kiitos"})
    page = client.get(f"/me/appointments/{appointment.id}/change").get_data(as_text=True)
    assert "Aamulla" in page and "Kiitos" in page
    client.post(f"/drafts/plan-note:{enrolment.id}", data={"note-body": "Nukuin paremmin"})
    assert "Nukuin paremmin" in client.get(f"/plans/{enrolment.id}").get_data(as_text=True)
    client.post(f"/drafts/plan-note:{enrolment.id}", data={"note-body": "  "})  # emptied: the draft goes
    assert _drafts(db) == 1


def test_drafts_are_per_user_and_only_for_known_forms(db, client, setup, app):
    enrolment, *_ = setup
    assert client.post("/drafts/secrets:1", data={"x": "y"}).status_code == 404
    assert client.post(f"/drafts/callback:{enrolment.id}", data={"preferred_times": "x" * 9000}).status_code == 200
    assert len(db.session.scalar(select(FormDraft)).fields["preferred_times"]) == 5000
    for n in range(25):
        client.post(f"/drafts/callback:{n}", data={"preferred_times": "y"})
    assert _drafts(db) == 20  # the oldest make room
    stranger = app.test_client()
    assert stranger.post(f"/drafts/callback:{enrolment.id}", data={"preferred_times": "z"}).status_code == 302
