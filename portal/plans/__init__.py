"""The client's plan: goals in the client's words, steps, notes, agreed versions, review, continuation, phases."""

from flask import Blueprint

# Its own static folder: the plan pages' stylesheet and the print button (CSP allows no inline style or script).
bp = Blueprint("plans", __name__, static_folder="static", static_url_path="/plans/static")
