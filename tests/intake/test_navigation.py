"""The header's "My housing application" link: asked on every client page, so one query decides it."""

from __future__ import annotations

from portal.intake import operations, queries
from tests.intake.conftest import TODAY, details


def test_the_link_is_there_once_the_client_has_a_draft_a_request_or_a_housing_service(
        db, create_client, create_enrolment, create_staff):
    nothing, drafted, sent, enrolled, other_service = (create_client() for _ in range(5))
    operations.save_draft(drafted.user, details())
    operations.submit_request(sent.user, details(), TODAY)
    create_enrolment(enrolled, coordinator=create_staff(), programme="housing-guidance")
    create_enrolment(other_service, coordinator=create_staff(), programme="remote-guidance")
    db.session.flush()
    assert [queries.has_application(c.user) for c in (nothing, drafted, sent, enrolled, other_service)] == \
        [False, True, True, True, False]
    # The same answer as the full status the page itself shows.
    for client in (nothing, drafted, sent, enrolled, other_service):
        full = queries.client_status(client.user) or queries.draft_of(client.user)
        assert queries.has_application(client.user) is bool(full)
