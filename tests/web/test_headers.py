"""Security headers: Permissions-Policy on every response (camera and microphone only in the video room and practice),
no server version banner. HSTS in production: tests/web/test_proxy.py; nginx's banner: tests/deploy."""

from __future__ import annotations

from portal.auth.models import Role
from portal.web.policy import MEDIA_POLICY, POLICY


def test_every_page_denies_camera_microphone_and_location(client, login, create_staff):
    for path in ("/login", "/static/silta.css", "/no/such/page"):
        assert client.get(path).headers["Permissions-Policy"] == POLICY, path
    assert "camera=()" in POLICY and "microphone=()" in POLICY and "geolocation=()" in POLICY
    login(create_staff(Role.WORKER))
    for path in ("/work", "/video/"):
        assert client.get(path).headers["Permissions-Policy"] == POLICY, path


def test_only_the_video_room_may_use_camera_and_microphone(app):
    # The room, and the client's practice page (its device check talks to the echo bot).
    assert app.extensions["silta.media_endpoints"] == {"video.room", "me.practice"}
    assert "camera=(self)" in MEDIA_POLICY and "microphone=(self)" in MEDIA_POLICY
    assert "display-capture=(self)" in MEDIA_POLICY and "display-capture=()" in POLICY  # screen sharing in a call
    assert "geolocation=()" in MEDIA_POLICY and "camera=(self)" not in POLICY


def test_the_room_page_gets_the_media_policy(db, client, login, create_staff, create_client, create_enrolment):
    from portal.video import operations

    worker = create_staff(Role.WORKER)
    enrolment = create_enrolment(create_client(), coordinator=worker)
    room = operations.open_adhoc_room(db.session, enrolment, worker)
    login(worker)  # commits
    page = client.get(f"/video/r/{room.key}")
    assert page.status_code == 200
    assert page.headers["Permissions-Policy"] == MEDIA_POLICY


def test_the_embedded_server_shows_no_version():
    from portal.__main__ import _PathOnlyLogHandler

    handler = object.__new__(_PathOnlyLogHandler)
    assert handler.version_string() == "Silta"
