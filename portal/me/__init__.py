"""The client's own pages."""

from flask import Blueprint

bp = Blueprint("me", __name__, url_prefix="/me")
