"""Bearer tokens on the FHIR API: a request hook that turns a token into the facade's ``Reader``.

Only under /fhir/: anywhere else an ``Authorization`` header signs nobody in, and the session cookie keeps
working as before (a bearer request ignores the cookie). A token is accepted while it is not expired nor
revoked, its client not revoked, and it was issued for this FHIR base (its audience). A user-facing token
reads as its user (``patient/``: the client themselves; ``user/``: what the worker may see); a backend
service's token reads the clients of the units its registration names. Every read is audited naming the
client application. Refusals are OperationOutcomes: 401 for a bad token, 403 for a type outside the scopes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, g, request
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.db import utcnow
from portal.extensions import db, login_manager
from portal.interop.fhir import outcome
from portal.interop.permissions import Reader
from portal.programmes.models import Enrolment
from portal.smart import scopes
from portal.smart.models import AccessToken, ApiClient
from portal.smart.server import digest, fhir_base

FHIR_JSON = "application/fhir+json; fhirVersion=4.0"
PUBLIC = {"metadata", ".well-known"}  # readable without a token (the facade's CapabilityStatement, SMART's config)
BULK = {"bulk"}  # bulk export's status and files (portal/bulk checks the export's types against the token)


@dataclass(frozen=True)
class TokenReader(Reader):
    """A user-facing app's reader: the user's own rules, narrowed to the granted types, audited by app."""

    token_id: int = 0

    def audit(self, resource_type: str, resource_id: object, client_id: int) -> None:
        record(self.user, AuditAction.READ, "interop", resource_type, resource_id, client_id,
               detail={"application": self.application})


@dataclass(frozen=True)
class SystemReader(Reader):
    """A backend service's reader: the clients enrolled (now or before) in the units it was registered for."""

    token_id: int = 0
    api_client_id: int = 0
    unit_ids: frozenset[int] = frozenset()
    all_units: bool = False

    def may_read_client(self, client_id: int) -> bool:
        query = exists().where(Enrolment.client_id == client_id)
        if not self.all_units:
            query = query.where(Enrolment.unit_id.in_(self.unit_ids))
        return bool(db.session.scalar(select(query)))

    def may_read_enrolment(self, enrolment: Enrolment) -> bool:
        return self.all_units or enrolment.unit_id in self.unit_ids

    def may_read_unit(self, unit_id: int) -> bool:
        return self.all_units or unit_id in self.unit_ids

    def is_client_or_caseworker(self) -> bool:
        return True  # the registration is the administrator's decision that this system reads care data

    def is_staff(self) -> bool:
        return True

    def own_client_id(self) -> int | None:
        return None

    def audit(self, resource_type: str, resource_id: object, client_id: int) -> None:
        record(None, AuditAction.READ, "interop", resource_type, resource_id, client_id,
               detail={"application": self.application})


def init_app(app: Flask) -> None:
    app.before_request(_bearer)


def refusal(status: int, text: str, code: str | None = None) -> Response:
    response = Response(outcome(status, text, code).model_dump_json(), status=status, content_type=FHIR_JSON)
    if status == 401:  # RFC 6750: an error code only when a token was sent
        sent = request.headers.get("Authorization") is not None
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if sent else "Bearer"
    return response


def _bearer() -> Response | None:
    if not request.path.startswith("/fhir/"):
        return None
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return refusal(401, "Send an access token: Authorization: Bearer <token>.")
    token = usable_token(value.strip())
    if token is None:
        return refusal(401, "The access token is expired, revoked or unknown. Get a new one.", "expired")
    if token.audience != fhir_base():
        return refusal(401, "The access token was issued for another FHIR server.")
    reader = reader_of(token)
    wanted = _resource_types(request.path)
    if any(not reader.may_read_type(t) for t in wanted):
        return refusal(403, "The access token's scopes do not cover this resource type.")
    g.fhir_reader, g.api_token_id = reader, token.id
    g._login_user = login_manager.anonymous_user()  # a cookie sent along does not add its user's rights
    return None


def usable_token(value: str) -> AccessToken | None:
    token = db.session.scalar(select(AccessToken).options(joinedload(AccessToken.user))
                              .where(AccessToken.token_hash == digest(value)))
    return token if token is not None and token.is_usable(utcnow()) else None


def reader_of(token: AccessToken) -> Reader:
    grant = scopes.grant_of(token.scope)
    client: ApiClient = token.api_client
    if grant.context == "system":
        return SystemReader(user=None, application=client.name, resource_types=grant.resource_types,
                            token_id=token.id, api_client_id=client.id, unit_ids=client.unit_ids,
                            all_units=client.all_units)
    return TokenReader(user=token.user, application=client.name, resource_types=grant.resource_types,
                       token_id=token.id)


def _resource_types(path: str) -> set[str]:
    """The resource types a FHIR path reads (``Patient/5/Appointment``: both). Bulk export checks its own."""
    parts = path.removeprefix("/fhir/r4/").split("/")
    if not parts or parts[0] in PUBLIC | BULK or parts[-1] == "$export":
        return set()
    return {p for p in parts if p[:1].isupper()}
