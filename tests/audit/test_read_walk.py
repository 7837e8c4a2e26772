"""Every page that shows a client's name writes an audit record naming that client (issue 19).

Walks every GET route of the access matrix once, as a staff role that may use it (the client's coordinator
first), in one language on one shared world: a page whose HTML holds the world's client's name and that
wrote no audit record for the client (its own or a list page's) fails, all such pages named at once.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, or_, select

from portal.audit.models import AuditRecord, AuditRecordClient
from tests.web.test_access_matrix import ACCESS, CASEWORK, PUBLIC, STAFF, _sign_in, _url
from tests.web.test_access_matrix import world as world  # noqa: F401,PLC0414 (the matrix's fixture)

# The client's own coordinator first: they see the most; the other roles for their own pages.
WALKERS = ["worker", "care_coordinator", "team_lead", "queue_coordinator", "housing_unit", "referrer", "admin"]


def _walker(allowed) -> str | None:
    if allowed == PUBLIC or allowed in ("fhir", "api", "probe"):
        allowed = STAFF if allowed != "fhir" else CASEWORK
    if not isinstance(allowed, set):
        return None
    return next((role for role in WALKERS if role in allowed), None)


def _records_naming(db, client_id: int) -> int:
    shown = select(AuditRecordClient.record_id).where(AuditRecordClient.client_id == client_id)
    return db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        or_(AuditRecord.client_id == client_id, AuditRecord.id.in_(shown))))


@pytest.fixture
def busy_world(db, world):  # noqa: F811
    """The matrix's world, with what list pages show: a message from the client."""
    from portal.messages.operations import start_thread

    start_thread(world["client"].user, world["enrolment"], "Kysymys", "Hei")
    db.session.commit()
    return world


def test_every_page_that_names_a_client_audits_it(app, db, busy_world):
    world = busy_world
    client_row = world["client"]
    name = client_row.last_name
    browsers: dict[str, object] = {}
    walked, unaudited, named = 0, [], []
    for endpoint, (method, allowed) in sorted(ACCESS.items()):
        role = _walker(allowed)
        if method != "GET" or role is None or endpoint == "static" or endpoint.endswith(".static"):
            continue
        if role not in browsers:
            browsers[role] = app.test_client()
            _sign_in(browsers[role], world["users"][role])
        url = _url(app, endpoint, world)
        before = _records_naming(db, client_row.id)
        response = browsers[role].get(url)
        walked += 1
        assert response.status_code < 500 or allowed == "probe", (endpoint, role, response.status_code)
        if response.status_code == 200 and name in response.get_data(as_text=True):
            named.append(endpoint)
            if _records_naming(db, client_row.id) == before:
                unaudited.append(f"{endpoint} ({role}: {url})")
    assert walked > 100
    assert {"caseload.index", "messages.inbox", "video.index"} <= set(named), named  # the walk reaches list pages
    assert not unaudited, "pages that name the client without an audit record:\n" + "\n".join(unaudited)
