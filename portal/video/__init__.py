"""Video meetings: rooms, the waiting room, invite links, TURN credentials and the Socket.IO signaling.

The signaling contract every party speaks (browsers, the echo bot, tests) is ``rtc/PROTOCOL.md``.
"""

from flask import Blueprint

bp = Blueprint("video", __name__, url_prefix="/video")

from portal.web.policy import allow_media  # noqa: E402

# The room page holds the call, its device check (camera and microphone preview) and the echo test.
allow_media(bp, "room")
