"""The malformed input of issue 19's probe, one by one: a clear refusal, never a 500.

(tests/web/test_fuzz.py walks every form and route with such values; these name the cases found.)
"""

from __future__ import annotations

from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectField

from portal.auth.models import Role
from portal.web.converters import BIGINT_MAX
from portal.web.forms import BoundedDateField, bounded_id
from portal.web.navigation import safe_next


@pytest.mark.parametrize("value", [str(BIGINT_MAX + 1), "1" * 5000, "١٢", "99999999999999999999"])
def test_an_id_in_the_path_past_the_database_range_is_404(client, login, create_staff, value):
    login(create_staff(Role.WORKER))
    for path in (f"/work/calendar/book/{value}", f"/intake/meetings/{value}", f"/messages/{value}/after/0"):
        assert client.get(path).status_code == 404, path


def test_the_largest_id_is_still_an_id(app):
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        assert adapter.match(f"/intake/meetings/{BIGINT_MAX}")[1] == {"meeting_id": BIGINT_MAX}


def test_every_int_in_a_path_is_the_bounded_converter(app):
    from portal.web.converters import BoundedInt

    converters = [c for rule in app.url_map.iter_rules() for c in rule._converters.values()]
    ints = [c for c in converters if "Int" in type(c).__name__]
    assert ints and all(isinstance(c, BoundedInt) for c in ints)


class _Form(FlaskForm):
    client = SelectField(coerce=bounded_id, validate_choice=False)
    day = BoundedDateField()


@pytest.mark.parametrize(("client_id", "ok"), [("9223372036854775808", False), ("-1", False), ("12", True)])
def test_a_chosen_id_is_bounded(app, client_id, ok):
    with app.test_request_context(method="POST", data={"client": client_id, "day": "2026-12-07"}):
        form = _Form()
        assert form.validate() is ok
        assert ok or form.client.errors


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_a_date_outside_the_sensible_years_is_a_translated_field_error(app, day):
    with app.test_request_context(method="POST", data={"client": "1", "day": day}):
        form = _Form(formdata=MultiDict({"client": "1", "day": day}))
        assert not form.validate()
        assert form.day.data is None
        assert form.day.errors == ["Anna päivämäärä vuosien 1900 ja 2100 väliltä."]


def test_dates_inside_the_years_are_kept(app):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"client": "1", "day": "2100-12-31"}))
        assert form.validate() and form.day.data == date(2100, 12, 31)


def test_calendar_booking_with_year_one_is_refused_on_the_form(client, login, create_staff, create_client,
                                                                 create_enrolment):
    worker = create_staff(Role.WORKER)
    enrolment = create_enrolment(create_client(), coordinator=worker)
    login(worker)
    for day in ("0001-01-01", "9999-12-31"):
        response = client.post(f"/work/calendar/book/{enrolment.id}", data={
            "contact_type": "guidance-meeting", "modality": "video", "day": day, "time": "10:00", "find": "1"})
        assert response.status_code == 400, day
        assert "Anna päivämäärä vuosien 1900 ja 2100 väliltä." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/ok\x00", "/a\nb", "/" + "x" * 3000])
def test_next_with_control_characters_is_not_followed(client, target):
    assert safe_next(target) is None
    response = client.post("/language", data={"locale": "sv", "next": target})
    if "\x00" in target:  # a NUL anywhere in a form is refused at the door (portal/web/inputs.py)
        assert response.status_code == 400 and "Location" not in response.headers
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_json_body_that_is_not_an_object_is_400(client):
    for body in ("[1e999, null]", "12", '{"a":'):
        response = client.post("/language", data=body, content_type="application/json")
        assert response.status_code == 400, body


@pytest.mark.parametrize("page", ["9223372036854775808", "0", "-1", "x"])
def test_a_page_number_past_any_list_is_404(client, login, create_staff, page):
    login(create_staff(Role.ADMIN))
    assert client.get(f"/admin/outbox?page={page}").status_code == 404
    assert client.get("/admin/outbox?page=2").status_code == 200


def test_a_nul_character_anywhere_is_400(client, login, create_staff):
    """PostgreSQL text cannot hold NUL: it was a DataError (500) in every search, form and room-key lookup."""
    login(create_staff(Role.WORKER))
    assert client.get("/work/clients?q=a%00b").status_code == 400
    assert client.get("/video/r/ab%00c").status_code == 400
    assert client.post("/language", data={"locale": "sv\x00"}).status_code == 400
    assert client.get("/work/clients?q=ab").status_code == 200
