"""FHIR Bulk Data Access 2.0: ``$export`` of a unit's clients (``Group/<unit id>/$export``) or of every unit a
backend service may read (``$export``), as NDJSON files written by the job runner, polled asynchronously."""

from flask import Blueprint

bp = Blueprint("bulk", __name__, url_prefix="/fhir/r4")
