"""The structured, client-participatory assessment (seed 001): the organisation's areas, checked at start; per
area the worker's assessment and the client's own view; the client reads the summary written for them."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import AccountKind, User
from portal.intake import areas, queries
from portal.intake.models import Assessment
from tests.conftest import _hash

SEED_WORDING = "Kuntoutuminen mahdollisimman itsenäiseen elämään ja asumiseen"  # seed 001, verbatim


def test_the_shipped_areas_use_the_seeds_words_in_every_language():
    shipped = areas.load(areas.DEFAULT_DIR)
    assert SEED_WORDING in {area.name("fi") for area in shipped}
    assert all(area.name(lang) for area in shipped for lang in areas.LANGUAGES)


def test_a_county_folder_is_checked_whole(tmp_path):
    folder = tmp_path / "areas"
    shutil.copytree(areas.DEFAULT_DIR, folder)
    (folder / "sv.toml").write_text('[[areas]]\ncode = "other"\nname = "Annat"\n', encoding="utf-8")
    (folder / "en.toml").unlink()
    with pytest.raises(areas.AssessmentAreaError) as refused:
        areas.load(folder)
    assert "en.toml: missing" in str(refused.value) and "sv.toml: area codes differ" in str(refused.value)


def test_the_worker_records_each_area_with_the_client_who_reads_their_part(db, team, registered, sign_in):
    assessment = queries.latest_assessment(registered.id)
    codes = [area.code for area in areas.configured()]
    form = {"worker_id": str(team["worker"].id), "started_on": "2026-11-16", "summary": "Sisäinen: SAP lukee.",
            "client_summary": "Tarvitset tukea asumiseen.",
            f"area-{codes[0]}-worker": "Työntekijän arvio.", f"area-{codes[0]}-client": "Haluan asua itse."}
    worker = sign_in(team["worker"])
    assert worker.post(f"/intake/assessments/{assessment.id}", data=form).status_code == 302
    db.session.expire_all()
    row = db.session.get(Assessment, assessment.id)
    assert [(a.area_code, a.worker_view, a.client_view) for a in row.areas] == [
        (codes[0], "Työntekijän arvio.", "Haluan asua itse.")]
    client_user = User(kind=AccountKind.CLIENT, email="ville.asukas@example.test", display_name="Ville",
                       password_hash=_hash())
    registered.client.user = client_user
    db.session.commit()
    text = sign_in(client_user).get("/me/assessment?lang=en").get_data(as_text=True)
    assert "Tarvitset tukea asumiseen." in text and "Haluan asua itse." in text
    assert "Työntekijän arvio." not in text and "Sisäinen" not in text  # internal notes stay internal
    assert db.session.scalar(select(AuditRecord).where(AuditRecord.actor_id == client_user.id,
                                                       AuditRecord.action == AuditAction.READ,
                                                       AuditRecord.object_type == "assessment"))
