"""Video meetings: rooms, the waiting room, invite links, TURN credentials and the Socket.IO signaling.

The signaling contract every party speaks (browsers, the echo bot, tests) is ``rtc/PROTOCOL.md``.
"""

from flask import Blueprint

bp = Blueprint("video", __name__, url_prefix="/video")
