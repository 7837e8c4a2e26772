"""A client's activation code: handed over by SMS, email or letter; one-time, expiring, with the birth date."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import AuthToken, Role
from portal.notifications.models import OutboxMessage
from portal.people.models import ClientUnit

PASSWORD = "a long enough password"
CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@pytest.fixture
def case(db, create_staff, create_client, unit):
    worker = create_staff(Role.WORKER, locale="en")
    row = create_client(with_login=False)  # a phone-only client: no portal account
    row.birth_date = date(1980, 5, 17)
    db.session.add(ClientUnit(client=row, unit_id=unit.id))
    db.session.commit()
    return worker, row


def _issue(client, row, channel: str = "letter"):
    return client.post(f"/work/clients/{row.id}/activation", data={"channel": channel})


def _activate(client, code: str, born: str = "1980-05-17", email: str = "Aino@Example.com"):
    return client.post("/activate", data={"code": code, "birth_date": born, "email": email, "password": PASSWORD,
                                          "confirm": PASSWORD}, headers={"Accept-Language": "en"})


def test_letter_then_activation_signs_the_client_in(client, db, login, case):
    worker, row = case
    login(worker)
    assert client.get(f"/work/clients/{row.id}/activation").status_code == 200
    letter = _issue(client, row)
    page = letter.get_data(as_text=True)
    assert letter.status_code == 200 and "/activate" in page
    code = CODE.search(page).group(0)
    assert code not in str(db.session.execute(select(AuditRecord.detail)).all())
    client.post("/logout")
    # A wrong birth date is refused and does not use the code up.
    wrong = _activate(client, code, born="1980-05-18")
    assert wrong.status_code == 400 and "does not match" in wrong.get_data(as_text=True)
    done = _activate(client, code.lower().replace("-", ""))
    assert done.status_code == 302 and done.headers["Location"].endswith("/me")
    assert client.get("/me").status_code == 200  # a client with no service yet has a home page too
    log = client.get("/me/access-log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert worker.display_name in log  # the worker's registration reads and the code issued are listed
    db.session.expire_all()
    assert row.user.email == "aino@example.com" and row.user.is_client
    # Signed in now; the email and password work from here on.
    client.post("/logout")
    assert client.post("/login", data={"email": "aino@example.com", "password": PASSWORD}).status_code == 302
    client.post("/logout")
    reused = _activate(client, code)
    assert reused.status_code == 400 and "already been used" in reused.get_data(as_text=True)
    issued = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "activation_code"))
    assert issued.client_id == row.id and issued.actor_id == worker.id and issued.detail == {"channel": "letter"}


def test_expired_and_forged_codes_are_refused(client, db, login, case):
    worker, row = case
    login(worker)
    code = CODE.search(_issue(client, row).get_data(as_text=True)).group(0)
    client.post("/logout")
    token = db.session.scalar(select(AuthToken))
    token.created_at -= timedelta(days=20)
    token.expires_at = token.created_at + timedelta(days=14)
    db.session.commit()
    expired = _activate(client, code)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    forged = _activate(client, "ABCD-EFGH-JKMN")
    page = forged.get_data(as_text=True)
    assert forged.status_code == 400 and "not valid" in page and 'value="ABCD-EFGH-JKMN"' in page
    assert row.user.password_hash is None


def test_a_new_code_replaces_the_old_one_and_sms_needs_a_phone(client, db, login, case):
    worker, row = case
    login(worker)
    first = CODE.search(_issue(client, row).get_data(as_text=True)).group(0)
    sms = _issue(client, row, "sms")
    assert sms.status_code == 302
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.client_id == row.id))
    assert message.recipient == row.phone and CODE.search(message.body) and "/activate" in message.body
    no_email = _issue(client, row, "email")  # the client has no email address
    assert no_email.status_code == 400 and "no email address" in no_email.get_data(as_text=True)
    client.post("/logout")
    assert "already been used" in _activate(client, first).get_data(as_text=True)  # revoked by the new one
    assert _activate(client, CODE.search(message.body).group(0)).status_code == 302


def test_a_password_the_rules_refuse_keeps_the_code(client, db, login, case):
    worker, row = case
    login(worker)
    code = CODE.search(_issue(client, row).get_data(as_text=True)).group(0)
    client.post("/logout")
    short = client.post("/activate", data={"code": code, "birth_date": "1980-05-17", "email": "a@example.com",
                                           "password": "short", "confirm": "short"},
                        headers={"Accept-Language": "en"})
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    assert _activate(client, code).status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}])
def test_guessing_codes_is_rate_limited(client, app_config):
    for _ in range(3):
        assert _activate(client, "ABCD-EFGH-JKMN").status_code == 400
    limited = _activate(client, "WXYZ-EFGH-JKMN")  # another code from the same address: still limited
    assert limited.status_code == 429


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}])
def test_one_code_tried_from_many_addresses_is_rate_limited(client, app_config):
    data = {"code": "abcd efgh jkmn", "birth_date": "1980-05-17", "email": "a@example.com", "password": PASSWORD,
            "confirm": PASSWORD}
    for n in range(3):
        assert client.post("/activate", data=data, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code == 400
    data["code"] = "ABCD-EFGH-JKMN"  # the same code written differently
    assert client.post("/activate", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
