"""Log lines with a request id: JSON in production, text in the embedded default (``PORTAL_LOG_FORMAT``).

Every request gets an id: the proxy's ``X-Request-ID`` when Silta is behind trusted proxies
(``PORTAL_TRUSTED_PROXIES``) and the value is a sane token, else a new random one. It is returned in the
``X-Request-ID`` header, added to every log line written while the request runs, and shown on error pages
so a user can quote it. One line per request names the Flask endpoint, never the path or the query
string (calendar-feed and invite tokens live there); personal data, tokens and SDP stay out of logs.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from portal.config import ConfigError

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")  # nginx's $request_id, UUIDs, ULIDs …
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "{levelname}{name}{request_id}{message}"  # and "timestamp": ISO 8601, UTC
FORMATS = ("json", "text")

requests_log = logging.getLogger("portal.requests")


def init_app(app: Flask) -> None:
    app.config["LOG_FORMAT"] = app.config["LOG_FORMAT"] or ("json" if app.config["ENV"] == "production" else "text")
    if app.config["LOG_FORMAT"] not in FORMATS:
        raise ConfigError(f"PORTAL_LOG_FORMAT must be one of {', '.join(FORMATS)}")
    trust_header = app.config.get("TRUSTED_PROXIES", 0) > 0

    @app.before_request
    def take_request_id():
        given = request.headers.get(HEADER, "") if trust_header else ""
        g.request_id = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        request_id = current_request_id()
        if request_id:
            response.headers[HEADER] = request_id
            elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            endpoint = request.endpoint or "unmatched"
            requests_log.info("%s %s %s %.1f ms", request.method, endpoint, response.status_code, elapsed,
                              extra={"method": request.method, "endpoint": endpoint,
                                     "status": response.status_code, "duration_ms": round(elapsed, 1)})
        return response

    app.context_processor(lambda: {"request_id": current_request_id()})
    # Flask-Limiter logs each refusal at INFO with the limit's key, and the per-account login limit's key
    # holds the email address typed: its refusals show as 429s in the access log, not as lines of their own.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    quiet_socket_libraries()
    if not app.testing:
        configure(app.config["LOG_FORMAT"])


def quiet_socket_libraries() -> None:
    """python-engineio and python-socketio log a client's malformed packet as an ERROR with their parser's
    traceback (~15 lines for a few bytes anyone can send: a log-flooding lever). Their records become one
    line each, at most one a minute per message, and go to the root handlers only (with the level set,
    the libraries add no stream handler of their own, which printed every line twice). Idempotent."""
    for name in SOCKET_LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.ERROR)
        if not any(isinstance(f, OneLinePerMinute) for f in logger.filters):
            logger.addFilter(OneLinePerMinute())
    # Some packets (an empty one) make engine.io's websocket loop raise out of the WSGI call: the server
    # then logs "Error handling request" with the traceback. Only those raised inside the libraries.
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLinePerMinute) for f in logger.filters):
            logger.addFilter(OneLinePerMinute(raised_in=SOCKET_LIBRARY_PACKAGES))


SOCKET_LIBRARY_LOGGERS = ("engineio.server", "socketio.server")
SOCKET_LIBRARY_PACKAGES = ("/engineio/", "/socketio/")
SERVER_LOGGERS = ("gunicorn.error", "werkzeug")


class OneLinePerMinute(logging.Filter):
    """A record without its traceback (the exception's type instead), and the same message at most once a
    minute: the repeats are counted into the next line that passes."""

    def __init__(self, interval: float = 60.0, raised_in: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.interval, self.raised_in = interval, raised_in
        self.last: dict[str, float] = {}
        self.repeats: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if self.raised_in and not self._raised_in_packages(record):
            return True  # another error of the server's: as it is
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            record.msg, record.args = f"{record.getMessage()} ({kind}, without its traceback)", ()
            record.exc_info = record.exc_text = record.stack_info = None
        key, now = str(record.msg), time.monotonic()
        if key in self.last and now - self.last[key] < self.interval:
            self.repeats[key] = self.repeats.get(key, 0) + 1
            return False
        self.last[key] = now
        repeats = self.repeats.pop(key, 0)
        if repeats:
            record.msg = f"{record.msg} (and {repeats} more like it in the last minute)"
        return True

    def _raised_in_packages(self, record: logging.LogRecord) -> bool:
        tb = record.exc_info[2] if record.exc_info else None
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        return tb is not None and any(p in tb.tb_frame.f_code.co_filename for p in self.raised_in)


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request: the job thread, start-up)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter(JSON_FIELDS, style="{", timestamp=True,
                             rename_fields={"levelname": "level", "name": "logger"})
    return logging.Formatter(TEXT_FORMAT)


def handler(fmt: str, stream=None) -> logging.Handler:
    """A stream handler that writes ``fmt`` lines with the request id."""
    result = logging.StreamHandler(stream or sys.stderr)
    result.setFormatter(formatter(fmt))
    result.addFilter(RequestIdFilter())
    return result


def configure(fmt: str) -> None:
    """Make the root logger's handlers (or a new one on stderr) write ``fmt`` lines with the request id.
    Idempotent: a process that builds several apps configures logging once per format."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(handler(fmt))
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)
        return
    for existing in root.handlers:
        existing.setFormatter(formatter(fmt))
        if not any(isinstance(f, RequestIdFilter) for f in existing.filters):
            existing.addFilter(RequestIdFilter())
