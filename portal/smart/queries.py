"""Reads: the SMART configuration document, the registered clients, and what a grant means in words."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import _
from portal.smart import scopes
from portal.smart.models import ApiClient, ClientKind

CAPABILITIES = ["launch-standalone", "client-public", "client-confidential-asymmetric", "context-standalone-patient",
                "permission-patient", "permission-user", "permission-v2", "permission-v1"]


def smart_configuration(root: str) -> dict:
    """``/.well-known/smart-configuration`` (SMART App Launch 2.x, Backend Services)."""
    return {
        "issuer": root,
        "authorization_endpoint": f"{root}/smart/authorize",
        "token_endpoint": f"{root}/smart/token",
        "revocation_endpoint": f"{root}/smart/revoke",
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": list(scopes.SUPPORTED),
        "capabilities": CAPABILITIES,
    }


def clients() -> list[ApiClient]:
    return list(db.session.scalars(select(ApiClient).order_by(ApiClient.name)))


def app_of(client_id: str) -> ApiClient | None:
    """A registered, unrevoked user-facing app."""
    app = db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id[:64]))
    return app if app is not None and app.kind is ClientKind.APP and app.revoked_at is None else None


def by_name(name: str) -> ApiClient | None:
    return db.session.scalar(select(ApiClient).where(ApiClient.name == name))


def describe(scope: str, is_client: bool) -> list[str]:
    """What the app will be able to read, one sentence a line, for the consent page."""
    grant = scopes.grant_of(scope)
    lines = [_("Your own information in Silta: your appointments, answers and plans.") if is_client else
             _("The information of the clients you work with, as you see it in Silta.")]
    if grant.resource_types is not None:
        lines.append(_("Only these kinds of records: %(types)s.", types=", ".join(sorted(grant.resource_types))))
    lines.append(_("The app can only read. It cannot change anything."))
    return lines


def error_message(error: str) -> str:
    """Why an app's request to the consent page was refused, for the person who followed it."""
    if error == "invalid_aud":
        return _("The app asked for another server's information.")
    if error in {"invalid_scope", "access_denied"}:
        return _("The app asked for something Silta does not give to apps like it.")
    return _("The app's request is incomplete or the app is not registered in Silta.")
