"""The client's network (seeds 003 and 004): professionals outside Silta the team works alongside."""

from flask import Blueprint

bp = Blueprint("network", __name__)
