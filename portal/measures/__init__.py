"""Measures: FIT (ORS/SRS), 3X10D and feedback forms — instruments as data, answers, schedules, graphs."""

from flask import Blueprint

bp = Blueprint("measures", __name__)
