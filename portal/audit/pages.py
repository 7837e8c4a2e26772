"""Pages that name clients are audited even where the route wrote no record: the list-page safety net.

During a request ``people.models.names_shown`` collects the id of every client whose name is shown
(``Client.full_name``, ``listed_name``, an intake contact of a known client); every audit record of the
request notes its client too. When a staff member's response succeeds, the clients named but in no audit
record of the request yet are written as one list record (operations.record_list: one INSERT and one
executemany) — "your name was on Sanna's page"; a refused form (4xx) gets one for every client it showed.
So a new page that shows names is audited without its author remembering to, and the route walk
(tests/audit/test_read_walk.py) checks that no page escapes.
"""

from __future__ import annotations

from flask import Flask, Response, g, has_request_context, request
from flask_login import current_user

from portal.people.models import names_shown

RECORDED = "_audit_recorded"


def init_app(app: Flask) -> None:
    """Register after portal.web.transactions: Flask runs after_request hooks last-registered first, so the
    list record is written before the request's transaction commits."""
    app.before_request(_start)
    app.after_request(_record_named)
    app.teardown_request(_stop)


def _start() -> None:
    names_shown.set(set())


def _stop(_exc=None) -> None:
    names_shown.set(None)


def note_recorded(client_id: int | None) -> None:
    """An audit record of this request names the client (called by operations.record)."""
    if client_id is not None and has_request_context():
        g.setdefault(RECORDED, set()).add(client_id)


def _record_named(response: Response) -> Response:
    named = names_shown.get()
    if not named or response.status_code >= 500 or not current_user.is_authenticated or not current_user.is_staff:
        return response
    from portal.audit.operations import record_list
    from portal.extensions import db

    recorded = g.pop(RECORDED, set())
    feature, page = request.blueprint or "portal", request.endpoint or "page"
    if response.status_code < 400:
        record_list(current_user, feature, page, named - recorded)
        return response
    # A refused form shows the page again, the client's data with it: a read, though the change is undone.
    # The request's transaction rolls back here (portal.web.transactions would next), its records with it,
    # so one list record names every client the page showed, in a transaction of its own.
    db.session.rollback()
    if record_list(current_user, feature, page, named) is not None:
        db.session.commit()
    return response
