"""The browser group: the real app served on a free port, the demo county in it, headless Chromium.

One live server and one browser per session (the machine is small); tests open their own contexts.
The served app is a production-like one: real CSRF tokens, real error pages (``TESTING`` off).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from portal.demo.seed import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.programmes import registry
from tests.conftest import make_app, migrate_and_sync
from tests.support import browsers
from tests.support.services import ServiceUnavailable, require_or_skip

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000
SERVED_APPS: dict = {}  # base URL → the Flask app serving it (for tests that look into its database)


class QuietRequestHandler(WSGIRequestHandler):
    """No access-log line per request (hundreds per run); errors are still logged."""

    def log_request(self, code="-", size="-"):
        pass


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, _catalogs):
    """Base URL of the app serving a migrated SQLite database with the demo county seeded."""
    path = tmp_path_factory.mktemp("browser") / "silta.sqlite3"
    uri = f"sqlite:///{path}"
    setup_app = make_app(uri)
    migrate_and_sync(setup_app)
    with setup_app.app_context():
        seed_demo(db.session, {code: item.definition for code, item in registry.loaded().items()})
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    app = make_app(uri, TESTING=False, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="silta-live-server", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    SERVED_APPS[base_url] = app
    try:
        yield base_url
    finally:
        SERVED_APPS.pop(base_url, None)
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(path.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Debian's; Playwright never downloads one here)."""
    if not CHROMIUM.exists():
        require_or_skip(ServiceUnavailable(f"{CHROMIUM} is not installed (Debian package chromium)"))
    from playwright.sync_api import Error

    try:
        chromium = browsers.playwright().chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Error as exc:
        require_or_skip(ServiceUnavailable(f"Chromium at {CHROMIUM} did not start: {exc}"))
    try:
        yield chromium
    finally:
        chromium.close()


def new_page(browser, viewport: dict | None = None, **context_options):
    """A page in a fresh context (its own cookies); close it with ``page.context.close()``.

    The browser asks for Finnish first, as most of the service's users' browsers do.
    """
    context_options.setdefault("locale", "fi-FI")
    context = browser.new_context(viewport=viewport or DESKTOP, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form, as a person would."""
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#main button[type=submit]")
    if page.url.split("?")[0].endswith("/login"):
        raise AssertionError(f"signing in as {email} failed: {page.inner_text('#main')[:300]}")


def signed_in_page(browser, base_url: str, email: str, viewport: dict | None = None, **context_options):
    """A fresh context signed in as ``email``; returns its page (close with ``page.context.close()``)."""
    page = new_page(browser, viewport, **context_options)
    try:
        sign_in(page, base_url, email)
    except BaseException:
        page.context.close()
        raise
    return page


@pytest.fixture
def pages(browser, live_server):
    """Aino (a demo client) and Sanna (her coordinator) signed in, each in a browser of their own; a script
    error on either page fails the test."""
    client = signed_in_page(browser, live_server, "asiakas.aino@silta.example")
    worker = signed_in_page(browser, live_server, "sanna.virtanen@silta.example")
    errors: list[str] = []
    for page in (client, worker):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield client, worker
    client.context.close()
    worker.context.close()
    assert not errors, errors
