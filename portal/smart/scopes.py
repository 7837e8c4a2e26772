"""SMART scopes (App Launch 2): which a client may be granted, and what a granted scope string lets it read.

Only reads: a v2 scope's permissions must be a subset of ``rs`` (``patient/Appointment.rs``,
``user/*.r``), and v1's ``.read`` is read as ``.rs``. Backend services get ``system/`` scopes, user-facing
apps ``patient/`` (a client's own app) or ``user/`` (a worker's app) scopes, plus ``launch/patient``.
``openid``/``fhirUser`` are not offered (no id_token is issued). Anything else is dropped, never widened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.smart.models import ApiClient, ClientKind

RESOURCE_SCOPE = re.compile(r"^(patient|user|system)/(\*|[A-Z][A-Za-z]{1,63})\.(read|[cruds]{1,5})$")
APP_EXTRAS = {"launch/patient"}
# What the server advertises in its SMART configuration (the resource types it serves come from the facade).
SUPPORTED = ("patient/*.rs", "user/*.rs", "system/*.rs", "launch/patient")


@dataclass(frozen=True)
class Grant:
    """What a granted scope string allows: the context (patient, user or system) and the resource types
    (None: every type)."""

    context: str | None
    resource_types: frozenset[str] | None


def _read_scope(scope: str) -> tuple[str, str] | None:
    """(context, resource type) of a read scope; None for anything that is not one."""
    match = RESOURCE_SCOPE.match(scope)
    if match is None:
        return None
    context, resource_type, permissions = match.groups()
    if permissions != "read" and not set(permissions) <= {"r", "s"}:
        return None
    return context, resource_type


def allowed_for(client: ApiClient, requested: str | None) -> str:
    """The requested scopes this client may have, in the order asked (duplicates dropped)."""
    contexts = {"system"} if client.kind is ClientKind.SYSTEM else {"patient", "user"}
    kept: list[str] = []
    for scope in (requested or "").split():
        parsed = _read_scope(scope)
        ok = parsed[0] in contexts if parsed else (client.kind is ClientKind.APP and scope in APP_EXTRAS)
        if ok and scope not in kept:
            kept.append(scope)
    return " ".join(kept)


def for_account(scope: str, is_client: bool) -> str:
    """A user-facing grant narrowed to the signed-in account: ``patient/`` scopes for a client, ``user/`` for
    staff (a worker's app sees what the worker may see; a client's app sees the client)."""
    context = "patient" if is_client else "user"
    kept = [s for s in scope.split() if (p := _read_scope(s)) is None or p[0] == context]
    if not is_client:
        kept = [s for s in kept if s != "launch/patient"]
    return " ".join(kept)


def has_read_scope(scope: str) -> bool:
    return any(_read_scope(s) for s in scope.split())


def grant_of(scope: str) -> Grant:
    parsed = [p for s in scope.split() if (p := _read_scope(s))]
    context = parsed[0][0] if parsed else None
    types = {t for _c, t in parsed}
    return Grant(context, None if "*" in types else frozenset(types))
