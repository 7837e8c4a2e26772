"""Reach a human, and safety: who to call and when, the promise on the message form, the crisis box."""

from flask import Blueprint

bp = Blueprint("reach", __name__)
