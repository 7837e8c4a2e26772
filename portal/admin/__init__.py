"""The service owner's pages: programmes, units and staff accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
