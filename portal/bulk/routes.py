"""Bulk Data Access endpoints: kick-off (``$export``, ``Group/<unit id>/$export``), status, files, cancel.

Backend services only (a ``system/`` token). Kick-off needs ``Prefer: respond-async`` and answers 202 with
the status URL in ``Content-Location``; the status URL answers 202 with ``X-Progress`` while the job runs,
then 200 with the manifest; DELETE cancels. Every refusal is an OperationOutcome.
"""

from __future__ import annotations

from flask import Response, abort, jsonify, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from portal.bulk import bp, forms, operations, queries
from portal.bulk.models import ExportStatus
from portal.extensions import csrf, db
from portal.interop.permissions import current_reader
from portal.people.models import OrgUnit
from portal.smart.access import SystemReader, refusal


@bp.errorhandler(HTTPException)
def bulk_error(exc: HTTPException):
    if exc.code == 401:
        return refusal(401, "Bulk export needs a backend service's access token (Authorization: Bearer).")
    return refusal(exc.code or 500, exc.description or "")


@bp.route("/$export", defaults={"unit_id": None})
@bp.route("/Group/<int:unit_id>/$export")
def export(unit_id: int | None):
    """Kick-off: every unit of the registration (system level), or one unit's clients (a Group)."""
    reader = _system_reader()
    params = forms.parse_kick_off(request, reader)
    if unit_id is not None:
        if db.session.get(OrgUnit, unit_id) is None:
            abort(404, "No such Group.")
        if not reader.may_read_unit(unit_id):
            abort(403, "This client may not export that unit's data.")
    row = operations.kick_off(reader.api_client_id, unit_id, params.types, params.since, request.url)
    status_url = url_for("bulk.status", export_id=row.id, _external=True)
    return Response(status=202, headers={"Content-Location": status_url})


@bp.route("/bulk/<export_id>", methods=["GET", "DELETE"])
@csrf.exempt
def status(export_id: str):
    reader = _system_reader()
    export = queries.export_of(export_id, reader.api_client_id) or abort(404, "No such export.")
    if request.method == "DELETE":
        operations.cancel(export)
        return Response(status=202)
    if export.status is ExportStatus.FAILED:
        abort(500, f"The export failed ({export.error}). Start a new one.")
    if export.status is not ExportStatus.DONE:
        return Response(status=202, headers={"X-Progress": export.progress or "queued", "Retry-After": "5"})
    response = jsonify(forms.manifest(export))
    response.headers["Expires"] = export.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@bp.route("/bulk/<export_id>/<resource_type>.ndjson")
def file(export_id: str, resource_type: str):
    reader = _system_reader()
    export = queries.export_of(export_id, reader.api_client_id) or abort(404, "No such export.")
    if export.status is not ExportStatus.DONE or resource_type not in export.types:
        abort(404, "No such file.")
    path = operations.folder(export.id) / f"{resource_type}.ndjson"
    return send_file(path, mimetype="application/fhir+ndjson", max_age=0)


def _system_reader() -> SystemReader:
    reader = current_reader()
    if not isinstance(reader, SystemReader):
        abort(403, "Bulk export is for backend services: use a token with system/ scopes.")
    return reader
