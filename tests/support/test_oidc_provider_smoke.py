"""End-to-end check of the test OIDC provider, with no Flask involved.

Proves that tests/support/oidc.py starts a real provider that Silta's relying
party can trust: authorization code + PKCE (S256), RS256 ID tokens verifiable
against the JWKS, nonce and email claims, one-time codes, and PKCE enforced.
"""

import warnings
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from .oidc import login_with_browserless_client, start_oidc_provider

with warnings.catch_warnings():
    # authlib 1.x deprecates authlib.jose in favour of joserfc; still supported.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt

pytestmark = pytest.mark.oidc  # marker declared in pyproject.toml

# Nothing listens here: the callback is returned, never followed.
REDIRECT_URI = "http://127.0.0.1:9/auth/callback"
ACCOUNTS = {
    "alice": {
        "email": "alice@example.org",
        "email_verified": True,
        "name": "Alice Example",
        "given_name": "Alice",
        "family_name": "Example",
    }
}


@pytest.fixture
def provider(tmp_path):
    """A running provider, stopped by pid after the test."""
    op = start_oidc_provider(tmp_path, [REDIRECT_URI], ACCOUNTS)
    yield op
    op.stop()
    assert op.process.poll() is not None


@pytest.fixture
def metadata(provider):
    """The provider's discovery document."""
    resp = requests.get(provider.metadata_url, timeout=10)
    resp.raise_for_status()
    return resp.json()


def _client(provider):
    return OAuth2Session(
        provider.client_id,
        provider.client_secret,
        scope="openid profile email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )


def _login(provider, metadata, account_id="alice"):
    """Run the whole front channel; return (client, callback URL, verifier, nonce)."""
    client = _client(provider)
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    client.state = state  # fetch_token checks the callback's state against it
    with requests.Session() as browser:
        callback = login_with_browserless_client(browser, url, account_id)
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == [state]
    assert query["iss"] == [provider.issuer]  # RFC 9207 issuer in the response
    return client, callback, verifier, nonce


def test_code_flow_with_pkce_yields_verifiable_id_token(provider, metadata):
    assert metadata["issuer"] == provider.issuer
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    client, callback, verifier, nonce = _login(provider, metadata)

    token = client.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )

    jwks = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_options={
            "iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": provider.client_id},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    claims.validate()
    assert claims.header["alg"] == "RS256"
    assert claims["sub"] == "alice"
    assert claims["email"] == "alice@example.org"
    assert claims["email_verified"] is True
    assert claims["name"] == "Alice Example"


def test_code_cannot_be_exchanged_twice(provider, metadata):
    client, callback, verifier, _nonce = _login(provider, metadata)
    client.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    with pytest.raises(OAuth2Session.oauth_error_class) as excinfo:
        client.fetch_token(
            metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
    assert excinfo.value.error == "invalid_grant"


def test_code_with_wrong_verifier_is_refused(provider, metadata):
    client, callback, _verifier, _nonce = _login(provider, metadata)
    with pytest.raises(OAuth2Session.oauth_error_class) as excinfo:
        client.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            code_verifier=generate_token(48),
        )
    assert excinfo.value.error == "invalid_grant"


def test_authorization_request_without_pkce_is_refused(provider, metadata):
    client = _client(provider)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], nonce=generate_token(20)
    )  # no code_verifier, so no code_challenge
    assert "code_challenge" not in url
    with requests.Session() as browser:
        callback = login_with_browserless_client(browser, url, "alice")
    query = parse_qs(urlsplit(callback).query)
    assert "code" not in query
    assert query["error"] == ["invalid_request"]
    assert "PKCE" in query["error_description"][0]
    assert query["state"] == [state]


def test_unknown_account_is_denied(provider, metadata):
    client = _client(provider)
    url, _state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=generate_token(48)
    )
    with requests.Session() as browser:
        callback = login_with_browserless_client(browser, url, "mallory")
    query = parse_qs(urlsplit(callback).query)
    assert query["error"] == ["access_denied"]
    assert "mallory" in query["error_description"][0]
