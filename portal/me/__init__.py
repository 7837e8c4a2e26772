"""The client's own pages."""

from flask import Blueprint

bp = Blueprint("me", __name__, url_prefix="/me")

from portal.web.policy import allow_media  # noqa: E402

# The practice page previews the camera and microphone and runs the echo test.
allow_media(bp, "practice")
