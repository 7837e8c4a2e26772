"""Behind a reverse proxy (nginx, deploy/nginx/silta.conf): the client's address and scheme, and HSTS.

With ``PORTAL_TRUSTED_PROXIES=N`` werkzeug's ProxyFix believes the last N entries of X-Forwarded-For,
-Proto and -Host, so ``url_for(_external=True)`` (the OpenID redirect URI, calendar-feed and invite
links) says https, and the login rate limit counts each client's address instead of the proxy's. With 0
(the default, no proxy) no forwarded header is trusted: a client could otherwise choose its own address.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if app.config["ENV"] == "production" and app.config["HSTS_SECONDS"] > 0:
        value = f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains"

        @app.after_request
        def strict_transport_security(response: Response) -> Response:
            if request.is_secure:  # the header means nothing over http, and browsers ignore it there
                response.headers.setdefault("Strict-Transport-Security", value)
            return response
