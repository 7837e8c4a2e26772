"""The report pages: who sees what, filters, suppression on the page and in the CSV, audit."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role

URL = "/reports/remote-guidance?start=2026-01-01&end=2026-06-30"


class Tables(HTMLParser):
    """The text of every cell of the report tables, row by row (the header row included)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.captions: list[str] = []
        self._in_table = self._cell = self._caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "report-table" in (dict(attrs).get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = True
            self.rows[-1].append("")
        elif self._in_table and tag == "caption":
            self._caption = True
            self.captions.append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag in ("td", "th"):
            self._cell = False
        elif tag == "caption":
            self._caption = False

    def handle_data(self, data):
        if self._cell:
            self.rows[-1][-1] += data.strip()
        elif self._caption:
            self.captions[-1] += data.strip()


def tables(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser


@pytest.fixture
def lead(create_staff):
    return create_staff(Role.TEAM_LEAD, locale="en")


def test_team_lead_sees_the_report_of_their_unit_with_small_cells_suppressed(client, login, world, lead, db):
    login(lead)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = tables(html)
    assert "Remote contacts by gender" in found.captions
    # Women: 4 contacts (3 by video) — under 5: "<5", and the shares that would give them back "..".
    assert ["Woman", "<5", "..", "<5", "..", "0", ".."] in found.rows
    assert "Numero" not in html and "Asiakas" not in html  # no names in a report
    # Every value of its charts is hidden in this small unit: "too few to show", not an empty chart (issue 17).
    assert 'role="img"' not in html and "Too few to show as a chart" in html
    audit = db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "reports")).all()
    assert [(a.action, a.object_id, a.client_id) for a in audit] == [(AuditAction.READ, "remote-guidance", None)]


def test_with_a_threshold_of_one_the_page_shows_every_count(app, client, login, world, lead):
    app.config["REPORT_MIN_CELL"] = 1
    login(lead)
    html = client.get(URL).get_data(as_text=True)
    found = tables(html)
    assert ["Woman", "4", "75.0", "3", "75.0", "0", "0.0"] in found.rows
    assert 'role="img"' in html and "<desc id=" in html  # nothing hidden: the charts are drawn
    # The man's phone call is remote but not a video meeting: 0 % toward the target, 50 % other remote channels.
    assert ["Man", "2", "0.0", "0", "0.0", "1", "50.0"] in found.rows


def test_the_csv_has_the_page_s_numbers_and_suppression(client, login, world, lead):
    login(lead)
    page = tables(client.get(URL).get_data(as_text=True)).rows
    response = client.get(URL.replace("remote-guidance?", "remote-guidance/export.csv?"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff") and "\r\n" in body
    rows = [row for row in csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";") if row]
    table_rows = [row for row in rows[3:] if len(row) > 1]  # the title lines have one field
    assert table_rows == [row for row in page if not (len(row) == 1 and "Nothing" in row[0])]
    assert ["Woman", "<5", "..", "<5", "..", "0", ".."] in rows


def test_a_worker_sees_their_own_caseload_only(client, login, world, db):
    world.worker.locale = "en"
    login(world.worker)
    html = client.get(URL).get_data(as_text=True)
    assert "You see your own clients only." in html
    app_rows = tables(html).rows
    assert not any(row and row[0] == "Man" for row in app_rows)  # B is not the worker's client
    # Client feedback about the service is not counted for the evaluated worker's own caseload (seed 000).
    assert "Remote contacts by gender" in tables(html).captions
    assert "Yearly satisfaction survey" not in html and "for the team lead" in html


def test_the_team_lead_reads_open_feedback_without_names_when_enough_answered(app, client, login, world, lead):
    login(lead)
    url = "/reports/intensive-rehabilitation/comments?start=2026-01-01&end=2026-06-30"
    assert "Written feedback against the 100 % targets" in client.get(url.replace("/comments", "")).get_data(
        as_text=True)
    html = client.get(url).get_data(as_text=True)
    assert "Clients who answered: 2." in html and "Ryhmä oli parasta" not in html  # under the minimum cell
    app.config["REPORT_MIN_CELL"] = 2
    html = client.get(url).get_data(as_text=True)
    assert "2026-03" in html and "Ryhmä oli parasta" in html and "Asiakas" not in html
    assert client.get(url.replace("intensive-rehabilitation", "health-social-work")).status_code == 404


def test_bad_filters_answer_400_with_the_typed_values_kept(client, login, world, lead):
    login(lead)
    response = client.get("/reports/remote-guidance?start=2026-13-01&end=2026-06-30&client_group=nonsense")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the period as two dates" in html
    assert "Choose a client group from the list." in html
    assert 'value="2026-13-01"' in html
    assert tables(html).rows == []
    reversed_period = client.get("/reports/remote-guidance?start=2026-06-30&end=2026-01-01")
    assert reversed_period.status_code == 400


def test_a_team_lead_cannot_pick_a_unit_they_do_not_lead(client, login, world, lead, db):
    from portal.people.models import OrgUnit

    other = OrgUnit(code="muu", name_fi="Muu", name_sv="Annan", name_en="Other", county="X")
    db.session.add(other)
    db.session.flush()
    login(lead)
    response = client.get(f"{URL}&unit={other.id}")
    assert response.status_code == 400
    assert "Choose a unit from the list." in response.get_data(as_text=True)


def test_queue_coordinator_sees_only_the_housing_report(client, login, create_staff, world):
    login(create_staff(Role.QUEUE_COORDINATOR, locale="en"))
    assert client.get("/reports/housing-guidance").status_code == 200
    assert client.get("/reports/remote-guidance").status_code == 403
    index = client.get("/reports/").get_data(as_text=True)
    assert "/reports/housing-guidance" in index and "/reports/remote-guidance" not in index


@pytest.mark.parametrize("role", [Role.ADMIN, Role.REFERRER, Role.HOUSING_UNIT])
def test_other_staff_are_refused(client, login, create_staff, role):
    login(create_staff(role))
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/remote-guidance").status_code == 403


def test_unknown_programme_is_404(client, login, lead):
    login(lead)
    assert client.get("/reports/no-such-programme").status_code == 404


@pytest.mark.parametrize("programme", ["remote-guidance", "housing-guidance", "intensive-rehabilitation",
                                       "many-services", "health-social-work"])
def test_every_programme_page_renders_its_figures(app, client, login, world, lead, programme):
    app.config["REPORT_MIN_CELL"] = 1
    login(lead)
    response = client.get(f"/reports/{programme}?start=2026-01-01&end=2026-06-30")
    assert response.status_code == 200
    found = tables(response.get_data(as_text=True))
    assert len(found.captions) >= 4
