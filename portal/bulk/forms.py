"""Bulk export's request parameters (checked, with FHIR's wording for refusals) and its manifest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Request, abort, url_for

from portal.bulk.models import BulkExport
from portal.bulk.operations import TYPES

FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}
KNOWN = {"_type", "_since", "_outputFormat"}


@dataclass(frozen=True)
class KickOff:
    types: list[str]
    since: datetime | None


def parse_kick_off(request: Request, reader) -> KickOff:
    """The kick-off's parameters; 400 for anything this server does not do, 403 for a type outside the scopes."""
    if "respond-async" not in request.headers.get("Prefer", ""):
        abort(400, "Bulk export is asynchronous: send Prefer: respond-async.")
    accept = request.headers.get("Accept", "application/fhir+json")
    if not any(a in accept for a in ("application/fhir+json", "application/json", "*/*")):
        abort(400, "Accept must be application/fhir+json.")
    unknown = sorted(set(request.args) - KNOWN)
    if unknown:
        abort(400, f"Unsupported parameter(s): {', '.join(unknown)}.")
    if request.args.get("_outputFormat", "application/fhir+ndjson") not in FORMATS:
        abort(400, "Only NDJSON output (application/fhir+ndjson) is supported.")
    return KickOff(_types(request, reader), _since(request.args.get("_since")))


def _types(request: Request, reader) -> list[str]:
    asked = [t.strip() for v in request.args.getlist("_type") for t in v.split(",") if t.strip()]
    unsupported = sorted(set(asked) - set(TYPES))
    if unsupported:
        abort(400, f"Unsupported resource type(s): {', '.join(unsupported)}. Exported: {', '.join(TYPES)}.")
    refused = [t for t in asked if not reader.may_read_type(t)]
    if refused:
        abort(403, f"The token's scopes do not cover: {', '.join(refused)}.")
    types = [t for t in TYPES if (t in asked if asked else reader.may_read_type(t))]
    if not types:
        abort(403, "The token's scopes cover none of the exported types.")
    return types


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        abort(400, "_since must be a FHIR instant with a time zone, e.g. 2026-01-01T00:00:00Z.")
    return parsed


def manifest(export: BulkExport) -> dict:
    return {
        "transactionTime": export.requested_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [{"type": o["type"], "count": o["count"],
                    "url": url_for("bulk.file", export_id=export.id, resource_type=o["type"], _external=True)}
                   for o in export.output or []],
        "error": [],
    }
