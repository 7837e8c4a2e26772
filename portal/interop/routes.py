"""The read-only FHIR R4 API under /fhir/r4/: Patient and Appointment, as JSON.

Authorisation is the portal's own: a signed-in session of a staff member who may see the client, or the
client themselves (``permissions.py``). Anonymous → 401, others → 403, unknown → 404, each as an
OperationOutcome. Every read writes an audit record (feature "interop"), one per client it shows.

Search: ``GET Appointment?patient=Patient/<id>`` (``patient=<id>`` too) or the equivalent
``actor=Patient/<id>``. ``subject`` is not an Appointment search parameter in R4 and, like any other
unknown parameter or a second patient, is refused with 400 rather than silently ignored — a caller who
thinks it filtered must not get more than it asked for. ``_format`` may ask for JSON (the only format).
"""

from __future__ import annotations

from flask import Response, abort, request, url_for
from flask_login import current_user
from werkzeug.exceptions import BadRequest, HTTPException

from portal.appointments.queries import all_of_client
from portal.audit.operations import record_read
from portal.extensions import db
from portal.interop import bp, fhir, permissions
from portal.people.models import Client
from portal.scheduling.models import Appointment

FHIR_JSON = "application/fhir+json; fhirVersion=4.0"
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}
DIAGNOSTICS = {
    401: "Sign in to Silta to use this API.",
    403: "You may not read this client's data.",
    404: "No such resource.",
}


class NotSupported(BadRequest):
    fhir_code = "not-supported"


@bp.errorhandler(HTTPException)
def fhir_error(exc: HTTPException):
    status = exc.code or 500
    text = exc.description if isinstance(exc, NotSupported) else DIAGNOSTICS.get(status, exc.description)
    return _json(fhir.outcome(status, text, getattr(exc, "fhir_code", None)), status)


@bp.route("/Patient/<resource_id>")
def patient(resource_id: str):
    _signed_in()
    client = _get(Client, resource_id)
    if not permissions.may_read_client(current_user, client.id):
        abort(403)
    record_read(current_user, "interop", "Patient", client.id, client.id)
    return _json(fhir.patient(client))


@bp.route("/Appointment/<resource_id>")
def appointment(resource_id: str):
    _signed_in()
    row = _get(Appointment, resource_id)
    readable = permissions.readable_clients(current_user, _client_ids(row))
    if not readable:
        abort(403)
    for client_id in sorted(readable):
        record_read(current_user, "interop", "Appointment", row.id, client_id)
    return _json(fhir.appointment(row, readable))


@bp.route("/Appointment")
def appointment_search():
    _signed_in()
    client = _get(Client, _searched_patient())
    if not permissions.may_read_client(current_user, client.id):
        abort(403)
    rows = all_of_client(client)
    readable = permissions.readable_clients(current_user, {c for row in rows for c in _client_ids(row)})
    entries = []
    for row in rows:
        record_read(current_user, "interop", "Appointment", row.id, client.id)
        entries.append((url_for("interop.appointment", resource_id=row.id, _external=True),
                        fhir.appointment(row, readable)))
    return _json(fhir.searchset(request.url, entries))


def _signed_in() -> None:
    if not current_user.is_authenticated:
        abort(401)


def _get(model, resource_id: str):
    """The row behind a FHIR id (Silta's ids are numbers); 404 for anything else."""
    row = db.session.get(model, int(resource_id)) if resource_id.isdigit() and len(resource_id) < 19 else None
    if row is None:
        abort(404)
    return row


def _client_ids(row: Appointment) -> set[int]:
    return {p.client_id for p in row.participants if p.client_id is not None}


def _searched_patient() -> str:
    """The patient id of an Appointment search; 400 for anything this server does not do."""
    args = request.args
    unknown = sorted(set(args) - {"patient", "actor", "_format"})
    if unknown:
        raise NotSupported(f"Unsupported search parameter(s): {', '.join(unknown)}. Use patient=Patient/<id>.")
    if any(f not in JSON_FORMATS for f in args.getlist("_format")):
        raise NotSupported("Only JSON is supported.")
    given = [(name, value) for name in ("patient", "actor") for value in args.getlist(name)]
    if len(given) != 1:
        raise NotSupported("Search by exactly one patient: patient=Patient/<id> (or actor=Patient/<id>).")
    name, value = given[0]
    if value.startswith("Patient/"):
        return value.removeprefix("Patient/")
    if name == "actor" or "/" in value:
        raise NotSupported("Only Patient references are supported.")
    return value


def _json(resource, status: int = 200) -> Response:
    return Response(resource.model_dump_json(), status=status, content_type=FHIR_JSON)


# Questionnaire and QuestionnaireResponse (the measures feature) and CarePlan with its Goals and CareTeam
# (the plans feature) add their routes to this blueprint.
from portal.interop import careplans, questionnaires  # noqa: E402,F401
