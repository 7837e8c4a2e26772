"""Seed 001: one intake for this county's municipalities (Länsi-Uusimaa: ten), not every place Silta knows."""

from __future__ import annotations

from portal.people.models import Municipality


def test_the_housing_request_lists_the_configured_municipalities_only(app, db, client, login, create_client, team):
    db.session.add_all([Municipality(code="444", name_fi="Lohja", name_sv="Lojo"),
                        Municipality(code="710", name_fi="Raasepori", name_sv="Raseborg"),
                        Municipality(code="398", name_fi="Lahti", name_sv="Lahtis")])  # served by no unit
    applicant = create_client()
    db.session.commit()
    login(applicant.user)
    by_default = client.get("/me/housing/request").get_data(as_text=True)
    assert 'value="091"' in by_default and 'value="398"' not in by_default  # only what a unit serves
    app.config["INTAKE_MUNICIPALITIES"] = ("444", "710")
    html = client.get("/me/housing/request").get_data(as_text=True)
    assert 'value="444"' in html and 'value="710"' in html and 'value="091"' not in html
    form = {"first_name": "Maija", "last_name": "Hakija", "birth_year": "1960", "description": "Tarvitsen tukea.",
            "action": "send"}
    assert client.post("/me/housing/request", data={**form, "municipality_code": "091"}).status_code == 400
    assert client.post("/me/housing/request", data={**form, "municipality_code": "444"}).status_code == 302
