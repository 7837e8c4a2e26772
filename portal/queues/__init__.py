"""Housing-service queues (seed 001): housing units, vacancies, offers, residencies."""

from flask import Blueprint

bp = Blueprint("queues", __name__, url_prefix="/work/queues")
