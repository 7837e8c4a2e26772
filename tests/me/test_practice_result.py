"""The practice result is the person's, not the browser's (issue 16): a good echo test on any device lets
the check before a meeting be skipped; the latest result counts, for 30 days; it is audited."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.db import utcnow
from portal.video import operations as video
from portal.video.models import PracticeResult, PracticeVerdict
from tests.appointments import make_appointment
from tests.conftest import PASSWORD


def _room_key(db, worker, me) -> str:
    appointment = make_appointment(db, utcnow().replace(microsecond=0) + timedelta(minutes=5), (worker,), (me,),
                                   minutes=60, modality="video")
    appointment.enrolment_id = me.enrolment.id
    room = video.open_room_for_appointment(db.session, appointment, worker)
    db.session.commit()
    return room.key


def _config(page: str) -> dict:
    return json.loads(re.search(r'id="call-config">(.*?)</script>', page, re.S).group(1))


def _practise(client, verdict: str):
    echo = client.post("/video/echo-test").get_json()["room"]
    return client.post("/video/echo-test/result", json={"verdict": verdict, "room": echo})


def test_a_practice_on_one_device_lets_the_check_be_skipped_on_another(app, db, client, login, worker, me):
    key = _room_key(db, worker, me)
    login(me.user)
    assert _config(client.get(f"/video/r/{key}").get_data(as_text=True))["practiced"] is False
    assert _practise(client, "video").status_code == 204
    result = db.session.get(PracticeResult, me.id)
    assert result.verdict is PracticeVerdict.VIDEO and result.good
    audit = db.session.scalars(select(AuditRecord).where(AuditRecord.object_type == "practice_result")).all()
    assert [(a.action, a.client_id, a.actor_id) for a in audit] == [(AuditAction.CREATE, me.id, me.user.id)]

    phone = app.test_client()  # another device: no cookie, no local storage, a sign-in of its own
    assert phone.post("/login", data={"email": me.user.email, "password": PASSWORD}).status_code == 302
    config = _config(phone.get(f"/video/r/{key}").get_data(as_text=True))
    assert config["practiced"] is True and config["practiceUrl"] == "/video/echo-test/result"

    practice_page = phone.get("/me/practice?lang=en").get_data(as_text=True)
    assert "Your last test:" in practice_page and "It went well. You can skip the check" in practice_page

    assert _practise(phone, "poor").status_code == 204  # the latest counts: a poor test takes the skip away
    assert _config(client.get(f"/video/r/{key}").get_data(as_text=True))["practiced"] is False
    assert "Test again before your meeting." in client.get("/me/practice?lang=en").get_data(as_text=True)


def test_a_practice_counts_for_thirty_days(app, db, client, login, worker, me):
    key = _room_key(db, worker, me)
    login(me.user)
    _practise(client, "voice")
    db.session.get(PracticeResult, me.id).practiced_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert _config(client.get(f"/video/r/{key}").get_data(as_text=True))["practiced"] is False


def test_only_a_test_that_ran_and_a_known_verdict_are_kept(db, client, login, worker, me, create_client):
    other = create_client()
    login(other.user)
    someone_elses = client.post("/video/echo-test").get_json()["room"]
    client.post("/logout")
    login(me.user)
    assert client.post("/video/echo-test/result", json={"verdict": "video", "room": someone_elses}).status_code == 400
    assert client.post("/video/echo-test/result", json={"verdict": "video", "room": "nope"}).status_code == 400
    assert _practise(client, "excellent").status_code == 400
    assert client.post("/video/echo-test/result", data="x").status_code == 400
    assert db.session.get(PracticeResult, me.id) is None


def test_staff_results_are_not_kept(db, client, login, worker):
    login(worker)
    assert _practise(client, "video").status_code == 403
    assert client.get("/me/practice").status_code == 403
