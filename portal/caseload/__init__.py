"""The worker's side: caseload and client overview."""

from flask import Blueprint

bp = Blueprint("caseload", __name__, url_prefix="/work")
