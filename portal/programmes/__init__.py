"""Programmes as data, and the service lifecycle: start, named people, transfer, end."""

from flask import Blueprint

bp = Blueprint("programmes", __name__, url_prefix="/work")
