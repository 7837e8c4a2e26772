"""Reports: each programme's own figures with charts, tables and CSV."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
