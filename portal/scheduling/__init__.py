"""Scheduling: appointments for every programme's contacts, with no double booking; the worker's calendar."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__, url_prefix="/work/calendar")
