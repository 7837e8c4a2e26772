"""A client's first Suomi.fi login finds them by the identity code (a real OIDC provider sends the claim)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import OidcIdentity, User
from portal.people import identity
from portal.people.models import Client
from tests.people.test_identity import make
from tests.support.oidc import login_with_browserless_client, provider_for_module

pytestmark = pytest.mark.oidc
CALLBACK = "http://localhost/auth/suomifi/callback"
AINO = make("170580", "-", "246")
STRANGER = make("010203", "A", "124")


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    accounts = {  # Suomi.fi's OID claim, and the name other providers use for the same code
        "aino": {"urn:oid:1.2.246.21": AINO, "name": "Aino Mäkelä"},
        "aino-other-name": {"national_identification_number": AINO.lower(), "name": "Aino Mäkelä"},
        "stranger": {"urn:oid:1.2.246.21": STRANGER, "name": "Someone Else"},
        "no-code": {"name": "No Code"},
    }
    yield from provider_for_module(tmp_path_factory, [CALLBACK], accounts)


@pytest.fixture
def app_config(provider):
    return {"OIDC_PROVIDERS": {"suomifi": {
        "issuer": provider.issuer, "client_id": provider.client_id, "client_secret": provider.client_secret,
        "kind": "client", "scope": "openid profile personal_identity_code", "label": {"fi": "Suomi.fi"},
    }}}


@pytest.fixture
def aino(db, create_client):
    row = create_client(with_login=False)
    row.identity_hash = identity.identity_hash(AINO)
    db.session.commit()
    return row


def _login(client, account: str):
    start = client.get("/login/suomifi")
    assert start.status_code == 302 and "personal_identity_code" in start.headers["Location"]
    callback = urlsplit(login_with_browserless_client(requests.Session(), start.headers["Location"], account))
    return client.get(f"{callback.path}?{callback.query}", headers={"Accept-Language": "en"})


def test_first_login_binds_by_identity_code_and_creates_the_account(client, db, aino):
    response = _login(client, "aino")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")
    db.session.expire_all()
    account = db.session.get(Client, aino.id).user
    assert account is not None and account.is_client and account.password_hash is None
    bound = db.session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == account.id))
    assert bound.subject == "aino"
    audit = db.session.scalar(select(AuditRecord).where(AuditRecord.object_type == "oidc_binding"))
    assert audit.client_id == aino.id and audit.detail == {"account_created": True}
    # The next login goes by the binding (issuer + subject); a second login with the code under another
    # claim name and subject binds to the same account, never a new client.
    client.post("/logout")
    assert _login(client, "aino").status_code == 302
    client.post("/logout")
    assert _login(client, "aino-other-name").status_code == 302
    other = db.session.scalar(select(OidcIdentity).where(OidcIdentity.subject == "aino-other-name"))
    assert other.user_id == account.id


@pytest.mark.parametrize("account", ["stranger", "no-code"])
def test_a_person_the_worker_has_not_registered_is_refused(client, db, aino, account):
    clients, users = db.session.scalars(select(Client.id)).all(), db.session.scalars(select(User.id)).all()
    response = _login(client, account)
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "Your worker has not registered you in Silta" in page
    assert STRANGER not in page
    assert db.session.scalars(select(Client.id)).all() == clients and db.session.scalars(select(User.id)).all() == users
    assert db.session.scalar(select(OidcIdentity)) is None
    assert client.get("/me").status_code == 302  # not signed in
