"""Authlib's OAuth 2 authorisation server, set up for SMART: the authorization-code grant with PKCE (S256
only) for user-facing apps, client credentials authenticated by a signed JWT (``private_key_jwt``, RS384
or ES384, RFC 7523) for backend services, and token revocation (RFC 7009).

Why authlib: it is the maintained implementation of these RFCs; what is Silta's own is only the storage
(models.py), the scopes (scopes.py) and the key lookup below.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidClientError, InvalidScopeError, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, current_app, g, request
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select

from portal import signals
from portal.db import utcnow
from portal.extensions import db
from portal.smart import keys, operations, scopes
from portal.smart.models import AccessToken, ApiClient, AuthorizationCode, UsedAssertion

ALGORITHMS = ["RS384", "ES384"]  # what SMART Backend Services asks servers to accept
MAX_ASSERTION_SECONDS = 300  # an assertion may not be valid for longer than five minutes
CODE_MINUTES = 5
EXTENSION = "silta.smart"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def fhir_base() -> str:
    """The FHIR base URL as this request reaches it: what tokens are bound to (their audience)."""
    return request.url_root.rstrip("/") + "/fhir/r4"


def token_url() -> str:
    return request.url_root.rstrip("/") + "/smart/token"


def _query_client(client_id: str) -> ApiClient | None:
    client = db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    return client if client is not None and client.revoked_at is None else None


def _save_token(token: dict, oauth_request) -> None:
    client: ApiClient = oauth_request.client
    user = oauth_request.user
    code: AuthorizationCode | None = getattr(oauth_request, "authorization_code", None)
    now = utcnow()
    db.session.add(AccessToken(
        token_hash=digest(token["access_token"]), api_client_id=client.id,
        user_id=user.id if user is not None else None, patient_id=code.patient_id if code else None,
        scope=token.get("scope", ""), audience=fhir_base(), issued_at=now,
        expires_at=now + timedelta(seconds=token["expires_in"])))
    if code is not None and code.patient_id is not None:
        token["patient"] = str(code.patient_id)  # the launch context (SMART App Launch)
    token["need_patient_banner"] = False  # the request commits (portal/web/transactions.py)


def _expires_in(client: ApiClient, grant_type: str) -> int:
    key = "API_TOKEN_MINUTES" if grant_type == "client_credentials" else "API_USER_TOKEN_MINUTES"
    return int(current_app.config[key]) * 60


class SmartServer(AuthorizationServer):
    def validate_requested_scope(self, scope):
        if not scope or not scopes.has_read_scope(scope):
            raise InvalidScopeError(description="Ask for at least one read scope, e.g. system/*.rs.")


class S256Only(CodeChallenge):
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # public apps; PKCE proves the code's holder

    def save_authorization_code(self, code, oauth_request):
        data, client, user = oauth_request.payload.data, oauth_request.client, oauth_request.user
        granted = scopes.for_account(client.get_allowed_scope(oauth_request.payload.scope), user.is_client)
        db.session.add(AuthorizationCode(
            code_hash=digest(code), api_client_id=client.id, user_id=user.id,
            redirect_uri=oauth_request.payload.redirect_uri, scope=granted,
            nonce=data.get("nonce"), code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method") or "S256",
            patient_id=g.get("smart_patient_id"), expires_at=utcnow() + timedelta(minutes=CODE_MINUTES)))

    def query_authorization_code(self, code, client):
        row = db.session.scalar(select(AuthorizationCode).where(
            AuthorizationCode.code_hash == digest(code), AuthorizationCode.api_client_id == client.id))
        return row if row is not None and utcnow() < row.expires_at else None

    def delete_authorization_code(self, authorization_code):
        db.session.delete(authorization_code)

    def authenticate_user(self, authorization_code):
        user = authorization_code.user
        return user if user.active else None


class CredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["private_key_jwt"]


class SignedAssertion(JWTBearerClientAssertion):
    """``private_key_jwt``: the assertion is signed by a key in the client's registered JWKS, is for this
    token endpoint, expires within five minutes, and its ``jti`` is used once."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def get_audiences(self):
        return [token_url()]

    def resolve_client_public_key(self, client):
        data = keys.jwks_of(client, _assertion_kid())
        if not data.get("keys"):
            raise InvalidClientError(description="The client has no usable keys registered.")
        return KeySet.import_key_set(data)

    def process_assertion_claims(self, assertion, resolve_key):
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise InvalidClientError(description="The client assertion's signature does not verify.") from exc
        self.verify_claims(token.claims)
        return token.claims

    def validate_jti(self, claims, jti):
        expires = claims.get("exp")
        now = utcnow()
        if not isinstance(expires, int) or expires - now.timestamp() > MAX_ASSERTION_SECONDS:
            raise InvalidClientError(description="The client assertion must expire within five minutes.")
        client = _query_client(claims["sub"])
        if not isinstance(jti, str) or len(jti) > 255 or client is None:
            return False
        db.session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now))
        if db.session.scalar(select(UsedAssertion.id).where(
                UsedAssertion.api_client_id == client.id, UsedAssertion.jti == jti)) is not None:
            return False
        db.session.add(UsedAssertion(api_client_id=client.id, jti=jti,
                                     expires_at=now + timedelta(seconds=MAX_ASSERTION_SECONDS + self.leeway)))
        db.session.flush()  # a concurrent second use fails on the unique constraint
        return True


def _assertion_kid() -> str | None:
    """The key id the request's client assertion names (its header is read again; authlib passes only the client)."""
    try:
        header = jws.extract_compact(request.form.get("client_assertion", "").encode()).headers()
    except (JoseError, ValueError):
        return None
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


class Revocation(RevocationEndpoint):
    """RFC 7009: a client revokes its own token (public apps by client_id, services with a signed JWT)."""

    CLIENT_AUTH_METHODS = ["none", "private_key_jwt"]

    def query_token(self, token_string, token_type_hint):
        return db.session.scalar(select(AccessToken).where(AccessToken.token_hash == digest(token_string)))

    def revoke_token(self, token, oauth_request):
        token.revoked_at = utcnow()


def init_app(app: Flask) -> SmartServer:
    server = SmartServer()
    server.init_app(app, query_client=_query_client, save_token=_save_token)
    server.register_token_generator("default", BearerTokenGenerator(
        access_token_generator=lambda **_kw: secrets.token_urlsafe(32), expires_generator=_expires_in))
    server.register_client_auth_method(SignedAssertion.CLIENT_AUTH_METHOD, SignedAssertion())
    server.register_grant(CodeGrant, [S256Only(required=True)])
    server.register_grant(CredentialsGrant)
    server.register_endpoint(Revocation)
    app.extensions[EXTENSION] = server
    signals.jobs_due.connect(operations.purge_job)  # old tokens, codes and assertion ids go
    return server


def server() -> SmartServer:
    return current_app.extensions[EXTENSION]
