"""The invite link page has a copy button (progressive enhancement), and the waiting room speaks to a guest as
a guest: not "your worker", and no phone-call or home-visit choice that is the client's to make (issue 17)."""

from __future__ import annotations

import pytest

from portal.video import operations
from portal.video.models import ParticipantRole
from tests.video_rooms.conftest import book_video

EN = {"Accept-Language": "en"}


@pytest.fixture
def room(db, worker, create_client, create_enrolment):
    enrolment = create_enrolment(create_client(), coordinator=worker, programme="intensive-rehabilitation")
    room = operations.open_room_for_appointment(db.session, book_video(db, worker, enrolment), worker)
    db.session.commit()
    return room


def test_the_new_link_has_a_copy_button(client, login, worker, room):
    login(worker)
    response = client.post(f"/video/r/{room.key}/invites", data={"name": "Tuula", "role": "guest", "hours": "24"},
                           headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="invite-link"' in html
    assert 'data-copy-target="invite-link"' in html and "Copy the link" in html and "js/copy-link.js" in html
    assert 'id="copy-invite-status" role="status"' in html  # the result is announced


def test_the_guest_waiting_room_speaks_to_a_guest(app, db, client, worker, room):
    _invite, token = operations.create_invite(db.session, room, worker, name="Tuula", role=ParticipantRole.GUEST)
    db.session.commit()
    page = client.get(client.get(f"/video/i/{token}").headers["Location"], headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "You have been invited to this video meeting" in html
    assert "Your worker will let you in" not in html and "Messages from your worker" not in html
    assert 'data-fallback="home_visit"' not in html
