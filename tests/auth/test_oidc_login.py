"""OpenID Connect sign-in against a real provider (node oidc-provider), through the Flask app."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import OidcIdentity, Role
from tests.support.oidc import login_with_browserless_client, provider_for_module

pytestmark = pytest.mark.oidc
CALLBACK = "http://localhost/auth/staff-idp/callback"
KNOWN_EMAIL = "sanna.oidc@example.com"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    accounts = {
        "sanna": {"email": KNOWN_EMAIL, "email_verified": True, "name": "Sanna OIDC"},
        "stranger": {"email": "stranger@example.com", "email_verified": True, "name": "Stranger"},
        "unverified": {"email": KNOWN_EMAIL, "email_verified": False, "name": "Unverified"},
    }
    yield from provider_for_module(tmp_path_factory, [CALLBACK], accounts)


@pytest.fixture
def app_config(provider):
    return {"OIDC_PROVIDERS": {"staff-idp": {
        "issuer": provider.issuer, "client_id": provider.client_id, "client_secret": provider.client_secret,
        "kind": "staff", "match_email": True, "label": {"fi": "Työntekijän kirjautuminen"},
    }}}


@pytest.fixture
def staff_user(db, create_staff):
    user = create_staff(Role.WORKER)
    user.email = KNOWN_EMAIL
    db.session.commit()
    return user


def _start(client) -> str:
    response = client.get("/login/staff-idp")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "code_challenge=" in location and "code_challenge_method=S256" in location
    assert "nonce=" in location and "state=" in location
    return location


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_staff_signs_in_and_identity_is_bound(client, db, staff_user):
    callback = login_with_browserless_client(requests.Session(), _start(client), "sanna")
    response = client.get(_callback_path(callback))
    assert response.status_code == 302 and response.headers["Location"].endswith("/work/today")
    assert client.get("/account").status_code == 200
    identity = db.session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == staff_user.id))
    assert identity is not None and identity.subject == "sanna"
    login = db.session.scalar(select(AuditRecord).where(AuditRecord.action == AuditAction.LOGIN))
    assert login.detail == {"method": "oidc:staff-idp"}


def test_replayed_callback_is_refused(client, staff_user):
    callback = login_with_browserless_client(requests.Session(), _start(client), "sanna")
    assert client.get(_callback_path(callback)).status_code == 302
    client.post("/logout")
    replay = client.get(_callback_path(callback))
    assert replay.status_code == 400
    assert "Kirjautuminen ei onnistunut" in replay.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still signed out


def test_replayed_code_with_a_fresh_state_is_refused_by_the_provider(client, staff_user):
    first = login_with_browserless_client(requests.Session(), _start(client), "sanna")
    assert client.get(_callback_path(first)).status_code == 302
    client.post("/logout")
    fresh_state = dict(p.split("=", 1) for p in urlsplit(_start(client)).query.split("&"))["state"]
    code = dict(p.split("=", 1) for p in urlsplit(first).query.split("&"))["code"]
    response = client.get(f"/auth/staff-idp/callback?code={code}&state={fresh_state}")
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_wrong_state_is_refused(client, staff_user):
    callback = login_with_browserless_client(requests.Session(), _start(client), "sanna")
    tampered = _callback_path(callback).replace("state=", "state=x")
    assert client.get(tampered).status_code == 400


def test_callback_without_a_started_login_is_refused(client):
    assert client.get("/auth/staff-idp/callback?code=abc&state=def").status_code == 400


def test_provider_error_is_shown_as_a_clear_message(client):
    _start(client)
    response = client.get("/auth/staff-idp/callback?error=access_denied&state=whatever")
    assert response.status_code == 400


def test_unknown_identity_gets_no_account(client, db, staff_user):
    callback = login_with_browserless_client(requests.Session(), _start(client), "stranger")
    response = client.get(_callback_path(callback), headers={"Accept-Language": "en"})  # the message, not its wording
    assert response.status_code == 403
    assert "No Silta account is linked to this identity." in response.get_data(as_text=True)
    assert db.session.scalar(select(OidcIdentity)) is None


def test_unverified_email_is_not_bound(client, db, staff_user):
    callback = login_with_browserless_client(requests.Session(), _start(client), "unverified")
    assert client.get(_callback_path(callback)).status_code == 403
    assert db.session.scalar(select(OidcIdentity)) is None


def test_unknown_provider_is_404(client):
    assert client.get("/login/nope").status_code == 404
