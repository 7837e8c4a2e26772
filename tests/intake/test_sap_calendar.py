"""Seed 001: the client does not attend SAP; the worker's agenda slot is busy time in the worker's own calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from portal.intake import drafting, operations
from portal.intake.models import DecisionOutcome
from portal.programmes import registry
from portal.scheduling import availability
from portal.scheduling.timeutil import local_date
from tests.intake.conftest import NOW, TODAY


def test_no_shipped_programme_has_a_bookable_decision_slot(app):
    for definition in registry.all_definitions():
        assert all("decision" not in t.code for t in definition.contact_types), definition.code


def test_the_workers_agenda_slot_is_busy_in_their_calendar_and_not_the_clients(db, team, unit, registered, sign_in,
                                                                              create_client, create_enrolment):
    meeting = operations.schedule_meetings(team["chair"], unit, TODAY, 1, {"INTAKE_SAP_MINUTES": 60})[0]
    other = create_enrolment(create_client(), coordinator=team["lead"], programme="housing-guidance")
    operations.book_slot(team["lead"], meeting, other, 20, NOW)
    operations.book_slot(team["worker"], meeting, registered, 15, NOW)
    db.session.commit()
    start, end = meeting.starts_at, meeting.starts_at + timedelta(hours=2)
    keys = [availability.user_key(team["worker"].id), availability.client_key(registered.client_id)]
    busy = availability.busy_intervals(keys, start, end)
    slot = (meeting.starts_at + timedelta(minutes=20), meeting.starts_at + timedelta(minutes=35))
    assert busy[keys[0]] == [slot]  # the worker's own slot, after the lead's 20 minutes
    assert busy[keys[1]] == []  # the client does not attend
    page = sign_in(team["worker"]).get(f"/work/calendar/?view=day&date={local_date(meeting.starts_at)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "SAP" in html and f"/intake/meetings/{meeting.id}" in html


def test_the_decision_invents_no_expansion_of_sap(db, team, unit, registered):
    item = operations.book_slot(team["worker"], operations.schedule_meetings(team["chair"], unit, TODAY, 1, {})[0],
                                registered, 10, NOW)
    decision = operations.record_outcome(team["chair"], item, DecisionOutcome.rejected, None, 9)
    assert "SAP-kokous" in decision.body and "asiantuntijaryhm" not in decision.body.lower()
    for language in drafting.LANGUAGES:
        text = (drafting.DEFAULT_DIR / language / drafting.FILE_NAME).read_text(encoding="utf-8").lower()
        assert "asiantuntijaryhm" not in text and "expertgrupp" not in text


def test_decision_templates_are_the_organisations_folder_checked_at_start(tmp_path):
    for language in drafting.LANGUAGES:
        (tmp_path / language).mkdir()
        (tmp_path / language / drafting.FILE_NAME).write_text(f"{language}: {{{{ client.full_name }}}}")
    app = Flask(__name__)
    app.config["INTAKE_DECISION_TEMPLATE_DIR"] = str(tmp_path)
    drafting.init_app(app)  # what the intake blueprint does when the app is made
    with app.app_context():
        assert drafting.render("sv", client={"full_name": "Greta"}) == "sv: Greta"
    (tmp_path / "sv" / drafting.FILE_NAME).write_text("{% if %}")
    with pytest.raises(drafting.DecisionTemplateError, match="sv"):
        drafting.init_app(app)
    (tmp_path / "sv" / drafting.FILE_NAME).unlink()
    with pytest.raises(drafting.DecisionTemplateError, match="missing"):
        drafting.init_app(app)
