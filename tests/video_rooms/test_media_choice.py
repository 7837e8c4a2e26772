"""Which rooms go through Janus (portal/video/sfu.py): group sessions and meetings expecting
PORTAL_SFU_MIN_PEOPLE; small meetings stay a mesh; nothing goes through Janus unless it is configured;
the choice is not changed while someone is in the call. No Janus needed: these are Silta's decisions."""

from __future__ import annotations

import pytest

from portal.video import operations, sfu
from portal.video.models import ParticipantRole, RoomMedia

from .conftest import book_video

JANUS = {"JANUS_URL": "http://127.0.0.1:9/janus", "SFU_MIN_PEOPLE": 5}


@pytest.fixture
def meeting(db, worker, create_client, create_enrolment):
    enrolment = create_enrolment(create_client(), coordinator=worker, programme="intensive-rehabilitation")
    appointment = book_video(db, worker, enrolment)
    return operations.open_room_for_appointment(db.session, appointment, worker)


@pytest.mark.parametrize("app_config", [JANUS])
def test_a_meeting_expecting_five_goes_through_janus(app, db, worker, meeting):
    assert sfu.settle_media(db.session, meeting, 0) == RoomMedia.MESH  # the worker and the client
    for name in ("Tuula", "Pekka"):
        operations.create_invite(db.session, meeting, worker, name=name)
    assert sfu.settle_media(db.session, meeting, 0) == RoomMedia.MESH  # four: still the mesh
    invite, _token = operations.create_invite(db.session, meeting, worker, name="Liisa", role=ParticipantRole.WORKER)
    assert sfu.settle_media(db.session, meeting, 0) == RoomMedia.SFU  # five
    operations.revoke_invite(db.session, invite, worker)
    assert sfu.settle_media(db.session, meeting, 1) == RoomMedia.SFU  # someone is in: kept
    assert sfu.settle_media(db.session, meeting, 0) == RoomMedia.MESH  # empty again: four expected


def test_without_janus_every_room_is_a_mesh(app, db, worker, meeting):
    for name in ("A", "B", "C", "D"):
        operations.create_invite(db.session, meeting, worker, name=name)
    assert sfu.wanted_media(db.session, meeting, sfu.settings()) == RoomMedia.MESH
