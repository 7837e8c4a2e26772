"""Registering and revoking API clients, and revoking tokens (an administrator's commands)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from portal.db import utcnow
from portal.extensions import db
from portal.people.models import OrgUnit
from portal.smart import keys
from portal.smart.models import AccessToken, ApiClient, AuthorizationCode, ClientKind, UsedAssertion


class RegistrationError(ValueError):
    """The registration cannot be made; the message says why."""


def create_client(name: str, *, jwks: dict | None = None, jwks_url: str | None = None,
                  redirect_uris: tuple[str, ...] = (), unit_codes: tuple[str, ...] = (),
                  all_units: bool = False, created_by: str | None = None) -> ApiClient:
    """A backend service (a key set, units) or a user-facing app (redirect URIs); added, not committed."""
    name = name.strip()
    if not name or len(name) > 120:
        raise RegistrationError("the name must be 1-120 characters")
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
        raise RegistrationError(f"a client named {name!r} exists already")
    system = jwks is not None or jwks_url is not None
    if system == bool(redirect_uris):
        raise RegistrationError("give either a key set (--jwks-url/--jwks-file: a backend service) "
                                "or --redirect-uri (a user-facing app)")
    if system and not (unit_codes or all_units):
        raise RegistrationError("a backend service reads the units it is registered for: give --unit (or --all-units)")
    if not system and (unit_codes or all_units):
        raise RegistrationError("units limit backend services only; a user-facing app sees what its user may see")
    if any(not u.startswith(("https://", "http://localhost", "http://127.0.0.1")) for u in redirect_uris):
        raise RegistrationError("redirect URIs must be https (http only on localhost)")
    if jwks_url is not None and not jwks_url.startswith("https://"):
        raise RegistrationError("the key set URL must be https")
    units = _units(unit_codes)
    client = ApiClient(client_id=secrets.token_urlsafe(16), name=name,
                       kind=ClientKind.SYSTEM if system else ClientKind.APP, redirect_uris=list(redirect_uris),
                       jwks=keys.checked_jwks(jwks) if jwks is not None else None, jwks_url=jwks_url,
                       all_units=all_units, created_by=created_by, units=units)
    if jwks_url is not None:
        client.jwks, client.jwks_fetched_at = keys.fetch(jwks_url), utcnow()
    db.session.add(client)
    db.session.flush()
    return client


def _units(codes: tuple[str, ...]) -> list[OrgUnit]:
    units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))) if codes else []
    missing = sorted(set(codes) - {u.code for u in units})
    if missing:
        raise RegistrationError(f"no such unit: {', '.join(missing)}")
    return units


def revoke_client(client: ApiClient) -> int:
    """The client can get no more tokens, and every token it holds stops working. Returns the tokens ended."""
    now = utcnow()
    client.revoked_at = client.revoked_at or now
    return revoke_tokens(client, now)


def revoke_tokens(client: ApiClient, now=None) -> int:
    result = db.session.execute(update(AccessToken).where(
        AccessToken.api_client_id == client.id, AccessToken.revoked_at.is_(None)).values(revoked_at=now or utcnow()))
    return result.rowcount or 0


def purge(now: datetime | None = None) -> int:
    """Delete tokens and codes a day past their end (revoked or expired ones refuse nothing more by existing),
    and used assertion ids past theirs; the job runner calls this every run. Returns the rows deleted."""
    now = now or utcnow()
    day_ago = now - timedelta(days=1)
    deleted = 0
    for statement in (delete(AccessToken).where(AccessToken.expires_at < day_ago),
                      delete(AuthorizationCode).where(AuthorizationCode.expires_at < now),
                      delete(UsedAssertion).where(UsedAssertion.expires_at < now)):
        deleted += db.session.execute(statement).rowcount or 0
    return deleted


def purge_job(_app, now: datetime | None = None, **_extra) -> None:
    """The job runner's chore (``signals.jobs_due``, connected by ``server.init_app``)."""
    purge(now)
