"""Security headers. (The idle timeout and the session lifetime are portal/auth/session.py's.)"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
ALWAYS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
          ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"))
# Pages carry personal data: no shared or back-button caches (static files may be cached).
PAGES = (*ALWAYS, ("Cache-Control", "no-store"))


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        # Each header unless the view set its own, in one pass over the response's headers: five setdefault
        # calls scanned them fifteen times (~20 µs of every request).
        present = {name.lower() for name, _value in response.headers.items()}
        wanted = ALWAYS if request.endpoint == "static" else PAGES
        response.headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response
