"""The care coordinator's photo: uploaded by staff on their account page, checked from its content like a
message attachment, re-encoded (no camera metadata), removable, shown on the client's care-team card with
an alt text naming the person, and served only to staff and to the clients whose team the person is in."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.plans import operations, photos
from portal.plans.models import PHOTO_MAX_SIDE, StaffPhoto
from portal.programmes.models import EnrolmentStatus


def _picture(fmt="PNG", size=(800, 600), mode="RGB", exif=False) -> bytes:
    image = Image.new(mode, size, (200, 30, 30, 0) if mode == "RGBA" else (200, 30, 30))
    out = BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Kamera Oy"  # Make
        data[0x0132] = "2026:11:22 10:00:00"  # DateTime
        kwargs["exif"] = data.tobytes()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def people(db, create_staff, create_client, create_enrolment):
    coordinator = create_staff(Role.CARE_COORDINATOR, name="Sanna Virtanen", locale="en")
    nurse = create_staff(Role.WORKER, name="Liisa Hoitaja")
    me = create_client()
    me.user.locale = "en"
    stranger = create_client()
    enrolment = create_enrolment(me, coordinator=coordinator, team=(nurse,), programme="many-services")
    create_enrolment(stranger, coordinator=create_staff(Role.WORKER, name="Someone Else"))
    db.session.commit()
    return {"coordinator": coordinator, "nurse": nurse, "me": me, "stranger": stranger, "enrolment": enrolment}


def _switch(client, login, user):
    client.post("/logout")
    login(user)


def test_jpeg_png_and_webp_are_reencoded_square_and_small(db, people):
    for fmt in ("JPEG", "PNG", "WEBP"):
        row = operations.set_photo(people["coordinator"], _picture(fmt, (1600, 1200)))
        stored = Image.open(BytesIO(row.data))
        assert stored.format == "JPEG" and stored.size == (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE) == (row.width, row.height)
    assert db.session.scalar(select(StaffPhoto).where(StaffPhoto.user_id == people["coordinator"].id)) is not None


def test_camera_details_are_not_kept_and_transparency_becomes_white(db, people):
    original = _picture("JPEG", (300, 200), exif=True)
    assert b"Kamera Oy" in original
    row = operations.set_photo(people["coordinator"], original)
    assert b"Kamera Oy" not in row.data and not Image.open(BytesIO(row.data)).getexif()
    assert (row.width, row.height) == (200, 200)  # small pictures are not blown up
    row = operations.set_photo(people["coordinator"], _picture("PNG", (40, 40), mode="RGBA"))
    assert Image.open(BytesIO(row.data)).getpixel((20, 20)) >= (250, 250, 250)


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"%PDF-1.7 not a picture", "Only pictures"),
    (b"<svg onload=alert(1)>", "Only pictures"),
    (b"\x89PNG\r\n\x1a\n" + b"broken" * 20, "could not be read"),
    (b"\xff\xd8\xff" + b"\0" * (photos.MAX_UPLOAD_BYTES + 1), "too big"),
])
def test_wrong_files_are_refused_and_nothing_is_stored(db, people, data, message):
    with force_locale("en"), pytest.raises(operations.PlanError, match=message):
        operations.set_photo(people["coordinator"], data)
    assert db.session.scalar(select(StaffPhoto)) is None


def _noisy(fmt: str) -> bytes:
    """A picture whose data does not compress to nothing (a flat one ends in a few bytes of IDAT)."""
    image = Image.effect_noise((120, 90), 60).convert("RGB")
    out = BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _damaged(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("cut", [lambda d: d[:-1], lambda d: d[:-12], lambda d: d[:-20], lambda d: d[:len(d) // 2]],
                         ids=["last byte", "end chunk", "into the data", "half"])
def test_a_cut_off_picture_is_refused_and_nothing_is_stored(db, people, fmt, cut):
    """The probe's truncated PNG: every picture is verified and decoded whole before it is accepted."""
    with force_locale("en"), pytest.raises(operations.PlanError, match="could not be read"):
        operations.set_photo(people["coordinator"], cut(_noisy(fmt)))
    assert db.session.scalar(select(StaffPhoto)) is None


def test_a_png_damaged_on_the_way_is_refused(db, people):
    with force_locale("en"), pytest.raises(operations.PlanError, match="could not be read"):
        operations.set_photo(people["coordinator"], _damaged(_noisy("PNG")))
    assert operations.set_photo(people["coordinator"], _noisy("PNG")).width == 90  # the whole one is fine


def test_a_picture_huge_in_pixels_is_refused_before_decoding(db, people, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 100 * 100)  # the real limit needs a 40-megapixel file
    with force_locale("en"), pytest.raises(operations.PlanError, match="too large in pixels"):
        operations.set_photo(people["coordinator"], _picture("PNG", (101, 100)))


def test_clients_cannot_have_a_photo(db, people):
    with pytest.raises(PermissionError):
        operations.set_photo(people["me"].user, _picture())


def test_upload_show_on_the_card_and_remove(db, client, login, people):
    coordinator = people["coordinator"]
    login(coordinator)
    page = client.get("/account").get_data(as_text=True)
    assert "Photo for your clients" in page and "You have no photo yet." in page
    response = client.post("/account/photo", data={"photo": (BytesIO(_picture("WEBP")), "kuva.webp")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#photo")
    page = client.get("/account").get_data(as_text=True)
    assert 'alt="Photo of Sanna Virtanen"' in page and "Remove the photo" in page
    audit = db.session.scalars(select(AuditRecord).where(AuditRecord.object_type == "staff_photo")).all()
    assert [(a.action, a.object_id) for a in audit] == [(AuditAction.UPDATE, str(coordinator.id))]

    _switch(client, login, people["me"].user)
    card = client.get("/me").get_data(as_text=True)
    assert 'alt="Photo of Sanna Virtanen"' in card and 'alt="Photo of Liisa Hoitaja"' not in card
    src = card.split('alt="Photo of Sanna Virtanen"')[0].rsplit('src="', 1)[1].split('"')[0]
    served = client.get(src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff" and "private" in served.headers["Cache-Control"]

    _switch(client, login, coordinator)
    assert client.post("/account/photo/remove").status_code == 302
    assert db.session.scalar(select(StaffPhoto)) is None
    assert client.get(f"/staff/{coordinator.id}/photo").status_code == 404
    _switch(client, login, people["me"].user)
    assert 'alt="Photo of Sanna Virtanen"' not in client.get("/me").get_data(as_text=True)


def test_a_bad_upload_shows_the_error_on_the_account_page(db, client, login, people):
    login(people["coordinator"])
    response = client.post("/account/photo", data={"photo": (BytesIO(b"%PDF-1.4 x"), "cv.pdf")},
                           content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Only pictures (PNG, JPEG, WebP) can be used as a photo." in body
    assert 'aria-invalid="true"' in body
    response = client.post("/account/photo", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a picture first." in response.get_data(as_text=True)


def test_only_staff_and_the_clients_team_see_the_photo(db, client, login, people, create_staff):
    coordinator = people["coordinator"]
    operations.set_photo(coordinator, _picture())
    other_worker = create_staff(Role.WORKER, name="Other Worker")
    db.session.commit()
    url = f"/staff/{coordinator.id}/photo"
    login(people["stranger"].user)  # a client of another worker
    assert client.get(url).status_code == 403
    _switch(client, login, other_worker)
    assert client.get(url).status_code == 200
    _switch(client, login, people["me"].user)
    assert client.get(url).status_code == 200
    assert client.get(f"/staff/{people['nurse'].id}/photo").status_code == 404  # in the team, no photo
    people["enrolment"].status, people["enrolment"].ended_on = EnrolmentStatus.ENDED, date.today()
    db.session.commit()
    assert client.get(url).status_code == 403  # the service ended: no longer their team
    client.post("/logout")
    assert client.get(url).status_code in (302, 401)
