"""A unit's phone, weekday hours and reply promise (what clients see on the home page and message form)."""

from __future__ import annotations

from datetime import time

import pytest

from portal.auth.models import Role


@pytest.fixture
def admin(db, create_staff, login):
    return login(create_staff(Role.ADMIN, locale="en"))


def _form(unit, **changes):
    return {"code": unit.code, "name_fi": "Yksikkö", "name_sv": "Enhet", "name_en": "Unit", "county": "Helsinki",
            "municipalities": ["091"], **changes}


def test_phone_hours_and_reply_days_are_saved(client, db, admin, unit):
    form = _form(unit, phone="09 310 12345", phone_opens="09:00", phone_closes="15:00", reply_days="3")
    assert client.post(f"/admin/units/{unit.id}", data=form).status_code == 302
    db.session.expire_all()
    assert (unit.phone, unit.phone_opens, unit.phone_closes, unit.reply_days) == ("09 310 12345", time(9), time(15), 3)


@pytest.mark.parametrize(("changes", "message"), [
    ({"phone": "call us"}, "Type a phone number"),
    ({"phone_opens": "09:00"}, "Give both times, or neither."),
    ({"phone_opens": "15:00", "phone_closes": "09:00"}, "The phone must close after it opens."),
    ({"reply_days": "0"}, "Type a number from 1 to 10."),
])
def test_bad_contact_details_are_refused_and_kept(client, db, admin, unit, changes, message):
    response = client.post(f"/admin/units/{unit.id}", data=_form(unit, **changes))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert unit.phone is None and unit.reply_days == 2
