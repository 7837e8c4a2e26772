"""An organisation installs its licensed ORS wording as version 2: new answers use it, old ones keep v1."""

from __future__ import annotations

import shutil

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from portal.measures import operations, queries
from portal.measures.instruments import DEFAULT_DIR
from portal.measures.models import AnswerSource
from tests.measures.conftest import ors_form

LICENSED = "Licensed wording installed by the organisation"


@pytest.fixture
def instrument_dir(tmp_path):
    directory = tmp_path / "instruments"
    shutil.copytree(DEFAULT_DIR, directory)
    return directory


@pytest.fixture
def app_config(instrument_dir):
    return {"MEASURES_INSTRUMENT_DIR": str(instrument_dir)}


def install_version_2(directory):
    text = (directory / "ors.toml").read_text(encoding="utf-8")
    text = text.replace("version = 1", "version = 2").replace("placeholder_wording = true",
                                                              "placeholder_wording = false")
    text = text.replace("Overall (placeholder wording)", LICENSED)
    (directory / "ors-v2.toml").write_text(text, encoding="utf-8")


def test_a_new_version_is_used_for_new_answers_and_old_answers_keep_theirs(app, db, instrument_dir, enrolment,
                                                                          meeting, worker, client, login):
    occurrence = queries.find_occurrence(enrolment, "ors", f"appt-{meeting.id}", meeting.starts_at, open_only=True)
    v1 = operations.instrument_version("ors")
    old = operations.submit(worker, enrolment, occurrence, v1.id, ors_form(v1.id), None, AnswerSource.PAPER)
    db.session.commit()

    install_version_2(instrument_dir)
    from portal.measures import instruments

    instruments.init_app(app)  # what a restart does
    v2 = operations.instrument_version("ors")
    db.session.commit()
    assert (v1.version, v2.version) == (1, 2) and v1.id != v2.id
    assert old.instrument.version == 1 and old.instrument.parsed.item("overall").text.en != LICENSED
    assert v2.parsed.item("overall").text.en == LICENSED and not v2.parsed.placeholder_wording

    login(worker)
    old_q = Questionnaire.model_validate_json(client.get(f"/fhir/r4/Questionnaire/{v1.id}").get_data(as_text=True))
    new_q = Questionnaire.model_validate_json(client.get(f"/fhir/r4/Questionnaire/{v2.id}").get_data(as_text=True))
    assert (old_q.status, new_q.status) == ("retired", "active")
