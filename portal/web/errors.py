"""Error pages: a clear translated message and a way on; never a stack trace."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db
from portal.i18n import _

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be understood"), _("Please go back and try again.")),
        403: (_("You do not have access to this page"),
              _("If you think you should, contact your worker or the service's administrator.")),
        404: (_("Page not found"), _("The address may be mistyped, or the page has been removed.")),
        405: (_("This action is not possible here"), _("Please go back and use the buttons on the page.")),
        413: (_("The file or form is too large"), _("Please send a smaller file or a shorter text.")),
        429: (_("Too many attempts"), _("For your security, please wait a few minutes before trying again.")),
        500: (_("Something went wrong on our side"), _("Nothing you entered was saved. Please try again in a moment.")),
    }


def render_error(code: int, detail: str | None = None):
    messages = _messages()
    title, hint = messages.get(code, messages[500] if code >= 500 else messages[400])
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def register_renderer(app: Flask, path_prefix: str, renderer: Callable[[int, HTTPException | None], Response]) -> None:
    """Errors under ``path_prefix`` are rendered by ``renderer(status, exception)`` instead of the HTML page: an
    API (FHIR's OperationOutcome) answers in its own format even where no view of its blueprint matched
    (an unknown path, a method the path does not take), which a blueprint's own error handler never sees."""
    app.extensions.setdefault("error_renderers", {})[path_prefix] = renderer


def _renderer(app: Flask) -> Callable[[int, HTTPException | None], Response] | None:
    for prefix, renderer in app.extensions.get("error_renderers", {}).items():
        if request.path.startswith(prefix):
            return renderer
    return None


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, _("The form had expired or was sent from elsewhere. Please fill it in again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        renderer = _renderer(app)
        return renderer(exc.code or 500, exc) if renderer else render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if app.testing:
            raise exc  # tests see the real error; users never do
        # Logged with the route, not the path: bodies, arguments and some paths (calendar-feed
        # tokens, ids) carry personal data or secrets. The frames say where; the error's own text stays out
        # (a database error's text holds the statement's parameters). The line carries the request id
        # (portal/ops/logs.py) that the error page shows.
        log.error("unhandled %s on %s %s at:\n%s", type(exc).__name__, request.method,
                  request.url_rule or "(no route)", "".join(traceback.format_tb(exc.__traceback__)))
        # A failed flush leaves the session unusable, and the error page reads the signed-in user through
        # it: without the rollback the error page itself failed and the client got a bare 500.
        db.session.rollback()
        renderer = _renderer(app)
        return renderer(InternalServerError.code, None) if renderer else render_error(InternalServerError.code)
