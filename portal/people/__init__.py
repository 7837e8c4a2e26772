"""Clients and the organisation: units, municipalities, clients' identity; the client's activation page."""

from flask import Blueprint

bp = Blueprint("people", __name__)
