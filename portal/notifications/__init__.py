"""Notifications: reminders and notices by email and text message, through pluggable backends."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
