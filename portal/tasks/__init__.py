"""The worker's day: client requests as tasks, and what needs attention on the caseload."""

from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/work")
