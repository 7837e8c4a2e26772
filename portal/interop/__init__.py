"""Interoperability: the read-only FHIR R4 API under /fhir/r4/ and iCalendar."""

from flask import Blueprint

bp = Blueprint("interop", __name__, url_prefix="/fhir/r4")
