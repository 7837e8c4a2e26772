"""The read-only FHIR R4 API under /fhir/r4/: Patient and Appointment here; the other types in their modules.

Who reads and what they may see comes from ``permissions.current_reader()`` (the portal's session today, a
SMART bearer token from portal/smart). Anonymous → 401, others → 403, unknown → 404, and every other error
under /fhir/ — an unknown type or path, a method other than GET (405), a format other than JSON (406), a
bad parameter (400) — is an OperationOutcome, never the portal's HTML page. Every read writes an audit
record (feature "interop"), one per client it shows.

Reads carry ``meta.versionId``/``meta.lastUpdated`` and a weak ETag ``W/"<versionId>"``; a matching
``If-None-Match`` gets 304. ``_format`` and ``Accept`` may ask for JSON (``json``, ``application/json``,
``application/fhir+json``); anything else is 406.

Appointment search: ``patient`` (or ``actor``) = ``Patient/<id>``, ``date`` (the start), ``status``,
``_lastUpdated``, with paging (search.py); ``Patient/<id>/Appointment`` is the same search in the
patient's compartment (compartment.py).
"""

from __future__ import annotations

from flask import Response, abort, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from portal.extensions import db
from portal.interop import bp, fhir
from portal.interop.permissions import Reader, current_reader
from portal.interop.search import NotSupported, Search, date_filter, reference_id
from portal.people.models import Client
from portal.scheduling.models import Appointment, Participant
from portal.web.errors import register_renderer

JSON_FORMATS = {"json", "application/json", "application/fhir+json", "application/json+fhir"}
JSON_MIMETYPES = ["application/fhir+json", "application/json", "application/json+fhir"]
DIAGNOSTICS = {
    401: "Sign in to Silta (or send a bearer token) to use this API.",
    403: "You may not read this.",
    404: "No such resource.",
    405: "This API is read-only: only GET is supported.",
    406: "Only JSON is supported (application/fhir+json).",
}
APPOINTMENT_SEARCH = {"patient": "reference", "actor": "reference", "date": "date", "status": "token",
                      "_lastUpdated": "date"}


def render_error(status: int, exc: HTTPException | None) -> Response:
    """Every error under /fhir/ as an OperationOutcome (registered with the app's error pages)."""
    own_words = isinstance(exc, HTTPException) and getattr(exc, "fhir_code", None)
    text = exc.description if own_words else DIAGNOSTICS.get(status, "The request failed.")
    # Allow (405) and WWW-Authenticate (401) as the exception gives them.
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"} if exc is not None else None
    return fhir.outcome_response(status, text, getattr(exc, "fhir_code", None), headers)


bp.record_once(lambda state: register_renderer(state.app, "/fhir/", render_error))


@bp.before_request
def negotiate_format() -> None:
    """JSON only: ``_format`` first, else ``Accept`` (none, or */*, means JSON)."""
    formats = [f.replace(" ", "+").split(";")[0].strip() for f in request.args.getlist("_format")]
    if formats:
        if any(f not in JSON_FORMATS for f in formats):
            abort(406)
    elif request.accept_mimetypes and not request.accept_mimetypes.best_match(JSON_MIMETYPES):
        abort(406)


@bp.route("/Patient/<resource_id>")
def patient(resource_id: str):
    reader = current_reader()
    client = get_row(Client, resource_id)
    if not reader.may_read_client(client.id):
        abort(403)
    reader.audit("Patient", client.id, client.id)
    return read_response(fhir.patient(client))


@bp.route("/Appointment/<resource_id>")
def appointment(resource_id: str):
    reader = current_reader()
    row = get_row(Appointment, resource_id)
    readable = reader.readable_clients(client_ids(row))
    if not readable:
        abort(403)
    for client_id in sorted(readable):
        reader.audit("Appointment", row.id, client_id)
    return read_response(fhir.appointment(row, readable))


@bp.route("/Appointment")
def appointment_search():
    return appointments_of(None)


def appointments_of(patient_id: str | None) -> Response:
    """The Appointment search, in a patient's compartment when ``patient_id`` is given."""
    reader, search = current_reader(), Search(APPOINTMENT_SEARCH)
    given = reference_id(search.one("patient", "actor"), "Patient")
    if (given is None) == (patient_id is None):
        raise NotSupported("Search by exactly one patient: patient=Patient/<id> (or actor=Patient/<id>).")
    client = readable_client(reader, patient_id or given)
    rows = appointment_rows(client.id, search)
    readable = reader.readable_clients({c for row in search.page(rows) for c in client_ids(row)})
    entries = []
    for row in search.page(rows):
        reader.audit("Appointment", row.id, client.id)
        entries.append((url_for("interop.appointment", resource_id=row.id, _external=True),
                        fhir.appointment(row, readable)))
    return bundle_response(search.bundle(len(rows), entries))


def appointment_rows(client_id: int, search: Search) -> list[Appointment]:
    """A client's appointments that match the search, in a stable order (start, then id)."""
    rows = db.session.scalars(select(Appointment).join(Participant).where(Participant.client_id == client_id)
                              .order_by(Appointment.starts_at, Appointment.id)).unique().all()
    statuses = search.tokens("status")
    on_date = date_filter(search.dates("date"), lambda row: row.starts_at)
    changed = date_filter(search.dates("_lastUpdated"), lambda row: row.updated_at)
    return [row for row in rows if (statuses is None or fhir.APPOINTMENT_STATUS[row.status] in statuses)
            and on_date(row) and changed(row)]


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str):
    """Any other path under the base: a change is 405 (the API is read-only, whatever the path), a read 404
    after the sign-in check. (The routes above are more specific, so they win for GET.)"""
    if request.method != "GET":
        abort(405, valid_methods=["GET"])
    current_reader()
    abort(404)


def readable_client(reader: Reader, resource_id: str) -> Client:
    """The searched patient: 404 when there is none, 403 when the reader may not read them."""
    client = get_row(Client, resource_id)
    if not reader.may_read_client(client.id):
        abort(403)
    return client


def get_row(model, resource_id: str):
    """The row behind a FHIR id (Silta's ids are numbers); 404 for anything else."""
    row = db.session.get(model, int(resource_id)) if resource_id.isdigit() and len(resource_id) < 19 else None
    if row is None:
        abort(404)
    return row


def client_ids(row: Appointment) -> set[int]:
    return {p.client_id for p in row.participants if p.client_id is not None}


def read_response(resource) -> Response:
    """A read: the resource with a weak ETag of its version; 304 when the caller already has that version."""
    if resource.meta is None or resource.meta.versionId is None:
        resource.meta = {**(resource.meta.model_dump(exclude_none=True) if resource.meta else {}),
                         "versionId": fhir.content_version(resource)}
    version = resource.meta.versionId
    if request.if_none_match.contains_weak(version):
        response = Response(status=304)
    else:
        response = fhir.json_response(resource)
    response.set_etag(version, weak=True)
    return response


def bundle_response(bundle) -> Response:
    return fhir.json_response(bundle)


# Questionnaire and QuestionnaireResponse (the measures feature), CarePlan with its Goals and CareTeam (the
# plans feature), the directory (Practitioner, PractitionerRole, Organization), compartments and the
# CapabilityStatement add their routes to this blueprint.
from portal.interop import capability, careplans, compartment, directory, questionnaires  # noqa: E402,F401
