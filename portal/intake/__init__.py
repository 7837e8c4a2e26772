"""Housing-service guidance intake (seed 001): requests, §35 notifications, assessments, decision meetings."""

from flask import Blueprint

bp = Blueprint("intake", __name__)
