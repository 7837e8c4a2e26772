"""The reports index offers only the reports of the programmes the user's part of the data has (issue 17:
the lead of one programme's unit was offered all five), and a chart
whose every value is suppressed says "too few to show" instead of being drawn."""

from __future__ import annotations

import re

from portal.auth.models import Role


def offered(client) -> set[str]:
    return set(re.findall(r'href="/reports/([a-z0-9-]+)"', client.get("/reports/").get_data(as_text=True)))


def test_a_lead_of_one_programme_sees_one_report(client, login, create_staff, create_client, create_enrolment):
    worker, lead = create_staff(Role.WORKER), create_staff(Role.TEAM_LEAD, locale="en")
    create_enrolment(create_client(), coordinator=worker, programme="remote-guidance")
    login(lead)
    assert offered(client) == {"remote-guidance"}


def test_a_worker_sees_the_programmes_of_their_own_caseload(client, login, create_staff, create_client,
                                                            create_enrolment):
    worker, colleague = create_staff(Role.WORKER, locale="en"), create_staff(Role.WORKER)
    create_enrolment(create_client(), coordinator=worker, programme="intensive-rehabilitation")
    create_enrolment(create_client(), coordinator=colleague, programme="remote-guidance")
    login(worker)
    assert offered(client) == {"intensive-rehabilitation"}


def test_a_chart_whose_every_value_is_hidden_says_too_few_instead(client, login, create_staff, create_client,
                                                                  create_enrolment):
    worker = create_staff(Role.WORKER, locale="en")
    create_enrolment(create_client(), coordinator=worker, programme="remote-guidance")
    login(worker)
    page = client.get("/reports/remote-guidance?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    assert "Too few to show as a chart" in page
    assert 'class="report-chart"' not in page  # one client: no chart has a value it may show
