"""The client's appointments: see, confirm, cancel, ask for a change, subscribe to a calendar."""

from flask import Blueprint

bp = Blueprint("appointments", __name__)
