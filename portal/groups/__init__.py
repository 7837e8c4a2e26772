"""Closed groups (suljettu ryhmä): fixed members, a series of sessions, capacity and attendance."""

from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/work/groups")
