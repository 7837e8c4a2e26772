"""One transaction per request: commit when the response succeeded, roll back otherwise."""

from __future__ import annotations

from flask import Flask, Response

from portal.extensions import db


def init_app(app: Flask) -> None:
    @app.after_request
    def finish_transaction(response: Response) -> Response:
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response
