"""``python -m portal``: the embedded default — SQLite, one process, demo data, http://127.0.0.1:5000.

Compiles the translation catalogs, migrates the database, seeds the demo county on a first start and
serves. Host and port come from PORTAL_HOST / PORTAL_PORT.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler

from portal.cli import prepare_database, start_app

_SECRET_PATH = re.compile(r"^(/calendar/|/video/i/|/activate/|/password/reset/|/q/)[^/]+")


class _PathOnlyLogHandler(WSGIRequestHandler):
    """Access log lines without query strings (OIDC codes, states, ids) and without secret path parts."""

    def setup(self):
        super().setup()
        # Signaling sends small websocket frames in both directions; with Nagle's algorithm on, a frame
        # waits for the peer's delayed ACK (~40 ms measured for an SDP answer: bench/video.py).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        # No "Werkzeug/x Python/y" banner: a version tells a scanner which advisories to try.
        return "Silta"

    def log_request(self, code="-", size="-"):
        self.log("info", '"%s %s" %s %s', self.command, redact_path(urlsplit(self.path).path), code, size)


def redact_path(path: str) -> str:
    """Private calendar-feed URLs, video invite links and questionnaire links carry their secret token in the path."""
    return _SECRET_PATH.sub(r"\1***", path)


def start_echo_bot(app, host: str, port: int) -> subprocess.Popen | None:
    """The pre-call test's echo bot (``python -m rtc.bots``) in its own process, unless PORTAL_RTC_BOTS=0.

    It signs in to the signaling server with a bot token passed in its environment (never on the
    command line, where ``ps`` shows it) and reconnects by itself until the server is up.
    """
    workers = app.config["RTC_BOTS"]
    if workers <= 0:
        return None
    import importlib.util

    if importlib.util.find_spec("aiortc") is None:
        print("The pre-call echo test is off: its bot needs the rtc extra (pip install -e '.[rtc]').")
        return None
    from portal.video.tickets import bot_token

    with app.app_context():
        token = bot_token()
    server = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
    env = {**os.environ, "SILTA_RTC_SERVER": server, "SILTA_BOT_TOKEN": token,
           "SILTA_BOT_SESSIONS": str(app.config["RTC_BOT_SESSIONS"])}
    return subprocess.Popen([sys.executable, "-m", "rtc.bots", "--workers", str(workers)], env=env)


def main() -> int:
    app = start_app("Silta")
    prepare_database(app)
    from portal.notifications import jobs

    jobs.start_in_process(app)  # reminders and notices; with PORTAL_REDIS_URL the worker runs them instead
    host, port = os.environ.get("PORTAL_HOST", "127.0.0.1"), int(os.environ.get("PORTAL_PORT", "5000"))
    # SIGTERM (a service manager, a test) ends the server like Ctrl+C does, so the echo bot stops too.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    bot = start_echo_bot(app, host, port)
    print(f"Silta is running on http://{host}:{port}/ (Ctrl+C stops it)")
    from werkzeug.serving import run_simple

    # Threaded Werkzeug serves the Socket.IO websockets too (Flask-SocketIO's threading mode with
    # simple-websocket); see portal/video/signaling.py for why threading.
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False, request_handler=_PathOnlyLogHandler)
    finally:
        if bot is not None:
            bot.terminate()
            try:
                bot.wait(timeout=10)
            except subprocess.TimeoutExpired:
                bot.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
