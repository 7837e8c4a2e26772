"""API clients registered by an administrator, the authorisation codes and access tokens issued to them, and
the ids of the signed client assertions already used (replay protection)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.people.models import OrgUnit


class ClientKind(enum.StrEnum):
    SYSTEM = "system"  # backend service: client credentials with a signed JWT (private_key_jwt), system/ scopes
    APP = "app"  # user-facing app: authorization code with PKCE, patient/ or user/ scopes


api_client_units = Table(
    "api_client_units", db.metadata,
    Column("api_client_id", ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True),
)


class ApiClient(db.Model):
    """A registered client application. Authlib's ``ClientMixin`` methods are implemented below."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[ClientKind] = mapped_column(str_enum(ClientKind, 16))
    redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    jwks: Mapped[dict | None] = mapped_column(JSON)  # registered as a file, or the last fetched from jwks_url
    jwks_url: Mapped[str | None] = mapped_column(String(500))
    jwks_fetched_at: Mapped[datetime | None]
    all_units: Mapped[bool] = mapped_column(default=False)  # a system client reading every unit
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(120))
    revoked_at: Mapped[datetime | None]

    units: Mapped[list[OrgUnit]] = relationship(secondary=api_client_units, order_by=OrgUnit.id)

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(u.id for u in self.units)

    # --- authlib ClientMixin ---
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        from portal.smart import scopes

        return scopes.allowed_for(self, scope)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # no shared secrets: public apps use PKCE, backend services sign JWTs

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.kind is ClientKind.SYSTEM:
            return method == "private_key_jwt"
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return self.kind is ClientKind.APP and response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        wanted = "client_credentials" if self.kind is ClientKind.SYSTEM else "authorization_code"
        return grant_type == wanted

    def __repr__(self) -> str:
        return f"<ApiClient {self.id} {self.kind}>"


class AuthorizationCode(db.Model):
    """A user's consent, exchanged once for a token (authlib's ``AuthorizationCodeMixin``)."""

    __tablename__ = "api_authorization_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(String(255))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    api_client: Mapped[ApiClient] = relationship()
    user: Mapped[User] = relationship()

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.created_at.timestamp())


class AccessToken(db.Model):
    """An issued bearer token: only its hash is kept. Bound to the FHIR base it was issued for."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(500))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]

    api_client: Mapped[ApiClient] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship()

    def is_usable(self, now: datetime) -> bool:
        if self.user is not None and not self.user.active:
            return False  # a deactivated account's apps stop with it
        return self.revoked_at is None and now < self.expires_at and self.api_client.revoked_at is None

    # authlib's TokenMixin (the revocation endpoint and the resource protector ask these)
    def check_client(self, client: ApiClient) -> bool:
        return self.api_client_id == client.id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return utcnow() >= self.expires_at

    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class UsedAssertion(db.Model):
    """A client assertion's ``jti``, kept until the assertion expires: a second use is refused."""

    __tablename__ = "api_used_assertions"
    __table_args__ = (UniqueConstraint("api_client_id", "jti"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(index=True)

