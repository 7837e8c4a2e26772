"""Every page the access matrix visits is valid HTML: one walk saves the pages, the Nu HTML Checker (npm
``vnu-jar``, on Debian's Java) reads them all in one run, ``--errors-only``, and finds nothing.

The walk takes the matrix's routes and addresses (tests/web/test_access_matrix.py) and its world, and asks
each page once as each kind of reader it lets in — anonymous, the client, one staff role — in one app, so
it costs seconds, not the matrix's thousands of fresh apps.
"""

from __future__ import annotations

import json

from tests.support.validators import html_errors
from tests.web.test_access_matrix import ACCESS, PUBLIC, _sign_in, _url, world  # noqa: F401 (the fixture)

STAFF_ORDER = ["worker", "care_coordinator", "team_lead", "service_manager", "admin"]


def _readers(allowed) -> list[str]:
    if allowed == PUBLIC:
        return ["anonymous"]
    if not isinstance(allowed, set):
        return []  # an API, a ticket or a probe: no HTML
    staff = sorted(allowed - {"client"}, key=lambda r: (STAFF_ORDER.index(r) if r in STAFF_ORDER else 99, r))
    return (["client"] if "client" in allowed else []) + staff[:1]


def test_the_pages_the_matrix_visits_are_valid_html(app, world):  # noqa: F811 (the imported fixture)
    clients = {"anonymous": app.test_client()}
    pages: dict[str, str] = {}
    for endpoint, (method, allowed) in sorted(ACCESS.items()):
        if method != "GET" or endpoint.endswith("static"):
            continue
        for who in _readers(allowed):
            if who not in clients:
                clients[who] = app.test_client()
                _sign_in(clients[who], world["users"][who])
            response = clients[who].get(_url(app, endpoint, world))
            # A fragment (a list a page fetches into itself) is checked as part of its page, not alone.
            html = response.get_data(as_text=True)
            if response.status_code == 200 and response.mimetype == "text/html" and html.lstrip()[:15].lower() == \
                    "<!doctype html>":
                pages[f"{endpoint} as {who}"] = html
    assert len(pages) > 50, sorted(pages)  # the walk saw the site, not a login page
    errors = html_errors(pages)
    assert errors == [], json.dumps(errors[:20], indent=1, ensure_ascii=False)
