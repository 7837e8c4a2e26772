"""Housing-service guidance intake (seed 001): requests, §35 notifications, assessments, decision meetings."""

from flask import Blueprint

# Its own static folder: the print stylesheet and button of a decision (CSP allows no inline style or script).
bp = Blueprint("intake", __name__, static_folder="static", static_url_path="/intake/static")
