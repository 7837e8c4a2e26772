"""Secure messages between a client and their coordinator and own team: threads, attachments, callbacks, live."""

from flask import Blueprint

bp = Blueprint("messages", __name__)
