"""Programme definitions: the five shipped files load; a broken file stops start-up with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portal import create_app
from portal.programmes.definitions_schema import Modality
from portal.programmes.loader import ProgrammeDefinitionError, load_definitions

SHIPPED = Path(__file__).resolve().parents[2] / "portal" / "programmes" / "definitions"
MINIMAL = """
code = "x"
version = 1
name = { fi = "X", sv = "X", en = "X" }
summary = { fi = "X", sv = "X", en = "X" }
[[phases]]
code = "one"
name = { fi = "Yksi", sv = "Ett", en = "One" }
[[contact_types]]
code = "meeting"
name = { fi = "Tapaaminen", sv = "Möte", en = "Meeting" }
modalities = ["video"]
default_minutes = 60
"""


def test_the_five_operating_models_load():
    loaded = load_definitions(SHIPPED)
    assert set(loaded) == {"remote-guidance", "housing-guidance", "intensive-rehabilitation",
                           "many-services", "health-social-work"}
    remote = loaded["remote-guidance"].definition
    assert remote.contact_type("guidance-meeting").first_contact_modality is Modality.HOME_VISIT
    assert remote.intensity.remote_share_target == 0.7
    intensive = loaded["intensive-rehabilitation"].definition
    assert (intensive.eligibility.age_min, intensive.eligibility.age_max) == (18, 29)
    assert intensive.intensity.max_duration_days == 183
    assert [m.when.value for m in intensive.measures] == ["at_start", "at_month", "at_end"]
    assert [p.code for p in loaded["many-services"].definition.phases] == [
        "referral", "assessment-planning", "service-delivery", "continuation"]
    assert loaded["housing-guidance"].definition.contact_type("decision-slot") is None  # the client is not at SAP


def _write(tmp_path, text, name="bad.toml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace('sv = "Ett", ', ""), "phases.0.name.sv"),
    (lambda t: t.replace('["video"]', '["telepathy"]'), "contact_types.0.modalities.0"),
    (lambda t: t.replace("default_minutes = 60", "default_minutes = 0"), "contact_types.0.default_minutes"),
    (lambda t: t.replace('modalities = ["video"]', 'modalities = ["video"]\nfirst_contact_modality = "home_visit"'),
     "first_contact_modality"),
    (lambda t: t + '\n[[phases]]\ncode = "one"\nname = { fi = "A", sv = "B", en = "C" }\n', "duplicate phase codes"),
    (lambda t: t + "\nsurprise = 1\n", "surprise"),
    (lambda t: t.replace('code = "x"', 'code = "Not A Code!"'), "code"),
    (lambda t: t + '\n[[measures]]\ninstrument = "3x10d"\nwhen = "at_month"\n', "months"),
    (lambda t: t.replace("version = 1", "version = ["), "not valid TOML"),
])
def test_a_broken_definition_names_the_file_and_the_field(tmp_path, change, expected):
    directory = _write(tmp_path, change(MINIMAL))
    with pytest.raises(ProgrammeDefinitionError) as error:
        load_definitions(directory)
    assert "bad.toml" in str(error.value) and expected in str(error.value)


def test_every_problem_is_reported_at_once(tmp_path):
    _write(tmp_path, MINIMAL.replace('sv = "Ett", ', ""), "a.toml")
    _write(tmp_path, MINIMAL.replace("default_minutes = 60", "default_minutes = 0"), "b.toml")
    with pytest.raises(ProgrammeDefinitionError) as error:
        load_definitions(tmp_path)
    assert "a.toml" in str(error.value) and "b.toml" in str(error.value)


def test_two_files_with_one_code_are_refused(tmp_path):
    _write(tmp_path, MINIMAL, "a.toml")
    _write(tmp_path, MINIMAL, "b.toml")
    with pytest.raises(ProgrammeDefinitionError, match="also used by a.toml"):
        load_definitions(tmp_path)


def test_app_does_not_start_with_a_broken_definition(tmp_path):
    shutil.copytree(SHIPPED, tmp_path / "defs")
    _write(tmp_path / "defs", "code = 1")
    with pytest.raises(ProgrammeDefinitionError):
        create_app({"PROGRAMME_DIR": str(tmp_path / "defs"), "SECRET_KEY": "x" * 40,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_app_does_not_start_without_definitions(tmp_path):
    with pytest.raises(ProgrammeDefinitionError, match="no programme definitions"):
        create_app({"PROGRAMME_DIR": str(tmp_path), "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_sync_retires_a_removed_programme_and_keeps_its_row(db):
    from portal.programmes import registry
    from portal.programmes.models import Programme
    from portal.programmes.operations import sync_programmes

    loaded = dict(registry.loaded())
    removed = loaded.pop("health-social-work")
    sync_programmes(loaded)
    assert db.session.get(Programme, "health-social-work").retired is True
    sync_programmes({**loaded, "health-social-work": removed})
    assert db.session.get(Programme, "health-social-work").retired is False
