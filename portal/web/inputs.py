"""Request input that no view should have to guard against: malformed JSON bodies and page numbers.

- A JSON body that is not an object: Flask-WTF builds every form from ``request.get_json()`` when the
  request says it is JSON, and a list or a number there was a TypeError (500) in every form view.
- ``?page=``: Flask-SQLAlchemy's ``paginate`` reads it itself, without an upper bound, and a page past
  2**63 / per_page made the database driver overflow (500). Past MAX_PAGE no list has anything to show.
- A NUL character anywhere in the query, the form or the path: PostgreSQL text cannot hold it, and the
  first query with it failed with a DataError (a 500) in every form, search and room-key lookup.
All answer 400/404 here, before any view runs.

The app refuses bodies over ``MAX_CONTENT_LENGTH`` (2 MB). A view that takes bigger uploads names itself
with ``allow_uploads(bp, max_bytes, "view")``; the limit is raised here, before the form is read (a
blueprint's own hook would run after this one, when the form had already been refused with 413).
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, request

MAX_PAGE = 100_000
EXTENSION = "silta.upload_limits"


def allow_uploads(bp: Blueprint, max_bytes: int, *views: str) -> None:
    """Bodies up to ``max_bytes`` for these views of ``bp`` (named without the blueprint's prefix)."""
    bp.record_once(lambda state: state.app.extensions.setdefault(EXTENSION, {}).update(
        {f"{bp.name}.{view}": max_bytes for view in views}))


def init_app(app: Flask) -> None:
    app.extensions.setdefault(EXTENSION, {})

    @app.before_request
    def refuse_unreadable_input():
        limit = current_app.extensions[EXTENSION].get(request.endpoint)
        if limit is not None:
            request.max_content_length = limit
        if request.is_json and request.content_length != 0:
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                abort(400)
        if _has_nul(request.args) or _has_nul(request.form) or any(
                "\x00" in str(value) for value in (request.view_args or {}).values()):
            abort(400)
        page = request.args.get("page")
        if page is not None and not (page.isascii() and page.isdigit() and len(page) <= 6
                                     and 1 <= int(page) <= MAX_PAGE):
            abort(404)


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items) for key, items in values.lists())
