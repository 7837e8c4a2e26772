"""Messages: threads, read state, attachments, drafts, callbacks, inboxes, notices; access and bad input."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.messages import operations, queries
from portal.messages.models import MAX_ATTACHMENT_BYTES, Attachment, CallbackRequest, Draft, Message, Thread
from portal.notifications.models import OutboxMessage
from portal.people.models import ContactChannel
from portal.programmes.models import EnrolmentStatus
from portal.scheduling.models import Absence

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


@pytest.fixture
def coordinator(create_staff):
    return create_staff(Role.CARE_COORDINATOR, name="Sanna Virtanen")


@pytest.fixture
def deputy(create_staff):
    return create_staff(Role.WORKER, name="Pekka Nieminen")


@pytest.fixture
def me(create_client):
    client = create_client()
    client.user.locale = "en"
    client.preferred_channel = ContactChannel.SMS
    return client


@pytest.fixture
def enrolment(create_enrolment, me, coordinator, deputy):
    return create_enrolment(me, coordinator=coordinator, deputy=deputy, programme="many-services")


def _away(db, user, days=3):
    now = datetime.now(UTC)
    db.session.add(Absence(user_id=user.id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=days)))
    db.session.flush()


# --- operations -------------------------------------------------------------------------------------

def test_a_thread_waits_until_a_worker_answers(db, me, coordinator, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Voitteko soittaa?")
    assert thread.waiting_since is not None
    first_wait = thread.waiting_since
    operations.post(me.user, thread, "Vielä yksi asia")
    assert thread.waiting_since == first_wait  # the oldest unanswered message counts
    operations.post(coordinator, thread, "Soitan huomenna")
    assert thread.waiting_since is None


def test_read_state(db, me, coordinator, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Hei")
    assert [r.unread for r in queries.inbox(coordinator)] == [True]
    assert [r.unread for r in queries.client_threads(me.user)] == [False]  # one's own message is read
    operations.read_thread(coordinator, thread)
    assert [r.unread for r in queries.inbox(coordinator)] == [False]
    operations.post(coordinator, thread, "Vastaus")
    assert [r.unread for r in queries.client_threads(me.user)] == [True]


def test_the_inbox_puts_the_longest_waiting_first(db, create_client, create_enrolment, coordinator):
    threads = []
    for hours_ago in (1, 30, 5):
        client = create_client()
        thread = operations.start_thread(client.user, create_enrolment(client, coordinator=coordinator),
                                         "Aihe", "Viesti")
        thread.waiting_since = datetime.now(UTC) - timedelta(hours=hours_ago)
        threads.append(thread)
    answered = operations.start_thread(coordinator, threads[0].enrolment, "Tiedote", "Työntekijän viesti")
    db.session.flush()
    order = [r.thread.id for r in queries.inbox(coordinator)]
    assert order == [threads[1].id, threads[2].id, threads[0].id, answered.id]


def test_the_deputy_receives_while_the_coordinator_is_away(db, me, coordinator, deputy, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Hei")
    assert queries.inbox(deputy) == [] and [r.thread for r in queries.team_inbox(deputy)] == [thread]
    _away(db, coordinator)
    assert [r.thread for r in queries.inbox(deputy)] == [thread] and queries.inbox(coordinator) == []
    operations.post(me.user, thread, "Toinen")
    operations.request_callback(me.user, enrolment, "Aamupäivisin", None)
    notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id.is_not(None))).all()
    assert {n.user_id for n in notices} >= {deputy.id}
    assert [c.enrolment_id for c in queries.open_callbacks(deputy)] == [enrolment.id]
    assert queries.open_callbacks(coordinator) == []
    # The header's count follows the same rule (its statement is built once, the time is a parameter).
    assert (queries.unread_count(deputy), queries.unread_count(coordinator), queries.unread_count(me.user)) == (1, 0, 0)


def test_notices_say_only_that_there_is_a_message(db, me, coordinator, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Salainen aihe", "Salainen sisältö")
    operations.post(me.user, thread, "Toinen salainen")  # the same unread period: one notice
    operations.post(coordinator, thread, "Vastauksen sisältö")
    db.session.flush()
    sent = db.session.scalars(select(OutboxMessage)).all()
    assert len(sent) == 2
    staff_notice = next(n for n in sent if n.user_id == coordinator.id)
    assert staff_notice.channel.value == "email" and staff_notice.recipient == coordinator.email
    client_notice = next(n for n in sent if n.client_id == me.id)
    assert client_notice.channel.value == "sms" and client_notice.recipient == me.phone
    for notice in sent:
        text = notice.subject + notice.body
        assert "Salainen" not in text and "Vastauksen" not in text and "Sanna" not in text
        assert "new message" in text or "uusi viesti" in text.lower()


def test_attachments_are_sniffed_and_limited(db, me, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Kuva", "Liitteenä",
                                     operations.Upload("../../etc/passwd kuva.exe", PNG))
    attachment = thread.messages[0].attachments[0]
    assert attachment.content_type.value == "image/png" and attachment.filename == "passwd kuva.png"
    for name, data in (("x.pdf", b"<html><script>alert(1)</script>"), ("x.png", b"GIF89a......"),
                       ("big.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES), ("empty.pdf", b"")):
        with pytest.raises(operations.MessageError) as caught:
            operations.post(me.user, thread, "Toinen", operations.Upload(name, data))
        assert caught.value.field == "attachment"
    assert db.session.scalar(select(Attachment.id).where(Attachment.id != attachment.id)) is None


def test_a_closed_enrolment_takes_no_messages(db, me, coordinator, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Hei")
    enrolment.status, enrolment.ended_on = EnrolmentStatus.ENDED, date.today()
    db.session.flush()
    for attempt in (lambda: operations.post(me.user, thread, "Vielä"),
                    lambda: operations.start_thread(coordinator, enrolment, "Uusi", "Viesti"),
                    lambda: operations.request_callback(me.user, enrolment, "Milloin vain", None)):
        with pytest.raises(operations.MessageError):
            attempt()
    assert len(db.session.scalars(select(Message)).all()) == 1


def test_drafts_are_kept_and_removed_when_sent(db, me, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Hei")
    operations.save_draft(me.user, thread, "Kirjoitan vielä")
    assert queries.draft_of(me.user, thread) == "Kirjoitan vielä"
    operations.post(me.user, thread, "Kirjoitan vielä ja lähetän")
    assert queries.draft_of(me.user, thread) == "" and db.session.scalar(select(Draft)) is None


# --- pages ----------------------------------------------------------------------------------------

def test_the_client_writes_and_the_html_is_shown_as_text(db, client, login, me, enrolment):
    login(me.user)
    response = client.post(f"/messages/enrolments/{enrolment.id}", data={
        "subject": "Kysymys", "body": "<script>alert('x')</script> <b>hei</b>",
        "attachment": (io.BytesIO(PDF), "lausunto.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    thread = db.session.scalar(select(Thread))
    body = client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in body and "<script>alert(" not in body and "&lt;b&gt;hei&lt;/b&gt;" in body
    attachment = db.session.scalar(select(Attachment))
    download = client.get(f"/messages/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_wrong_file_keeps_the_text_and_stores_nothing(db, client, login, me, enrolment):
    login(me.user)
    response = client.post(f"/messages/enrolments/{enrolment.id}", data={
        "subject": "Kysymys", "body": "Tärkeä teksti", "attachment": (io.BytesIO(b"MZ\x90\x00exe"), "kuva.png")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Only pictures (PNG, JPEG, WebP) and PDF files can be attached." in body and "Tärkeä teksti" in body
    assert db.session.scalar(select(Thread)) is None and db.session.scalar(select(Message)) is None


def test_an_oversized_file_is_refused_clearly(db, client, login, me, enrolment):
    login(me.user)
    big = PNG + b"0" * MAX_ATTACHMENT_BYTES
    response = client.post(f"/messages/enrolments/{enrolment.id}", data={
        "subject": "Kysymys", "body": "Iso kuva", "attachment": (io.BytesIO(big), "iso.png")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "The file is too big: at most 5 MB." in response.get_data(as_text=True)
    assert db.session.scalar(select(Message)) is None


def test_reading_is_audited_and_marks_read(db, client, login, me, coordinator, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Hei")
    db.session.commit()
    login(coordinator)
    assert client.get(f"/messages/{thread.id}").status_code == 200
    reads = db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "messages",
                                                         AuditRecord.action == AuditAction.READ)).all()
    assert [(r.actor_id, r.client_id) for r in reads] == [(coordinator.id, me.id)]
    assert [r.unread for r in queries.inbox(coordinator)] == [False]
    page = client.get("/messages/inbox").get_data(as_text=True)
    assert "Asunto" in page and me.full_name in page


def test_the_draft_survives_a_reload(db, client, login, me, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Hei")
    db.session.commit()
    login(me.user)
    assert client.post(f"/messages/{thread.id}/draft", data={"body": "Puolikas <viesti>"}).status_code == 204
    assert "Puolikas &lt;viesti&gt;</textarea>" in client.get(f"/messages/{thread.id}").get_data(as_text=True)


def test_a_callback_request_lands_in_the_task_list(db, client, login, me, coordinator, enrolment):
    login(me.user)
    response = client.post(f"/messages/enrolments/{enrolment.id}/callback", data={"preferred_times": ""})
    assert response.status_code == 400 and "Write when a call would suit you." in response.get_data(as_text=True)
    response = client.post(f"/messages/enrolments/{enrolment.id}/callback",
                           data={"preferred_times": "Arkisin klo 14 jälkeen", "phone": ""})
    assert response.status_code == 302
    callback = db.session.scalar(select(CallbackRequest))
    assert callback.phone == me.phone
    client.post("/logout")
    login(coordinator)
    page = client.get("/messages/inbox").get_data(as_text=True)
    assert "Arkisin klo 14 jälkeen" in page
    assert client.post(f"/messages/callbacks/{callback.id}/handled").status_code == 302
    db.session.expire_all()
    assert db.session.get(CallbackRequest, callback.id).handled_by_id == coordinator.id
    assert "Arkisin klo 14 jälkeen" not in client.get("/messages/inbox").get_data(as_text=True)


def test_forged_ids_read_nothing(db, client, login, create_client, create_enrolment, create_staff, me, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Oma asia", "Yksityinen",
                                     operations.Upload("kuva.png", PNG))
    attachment_id = thread.messages[0].attachments[0].id
    other = create_client()
    create_enrolment(other, coordinator=create_staff(Role.WORKER))
    db.session.commit()
    login(other.user)
    assert client.get(f"/messages/{thread.id}").status_code == 403
    assert client.get(f"/messages/{thread.id}/after/0").status_code == 403
    assert client.get(f"/messages/attachments/{attachment_id}").status_code == 403
    assert client.post(f"/messages/{thread.id}/reply", data={"body": "Forged"}).status_code == 403
    assert client.post(f"/messages/{thread.id}/draft", data={"body": "Forged"}).status_code == 403
    assert client.post(f"/messages/enrolments/{enrolment.id}", data={"subject": "x", "body": "y"}).status_code == 403
    assert client.get("/messages/999999").status_code == 404
    assert "Oma asia" not in client.get("/me/messages").get_data(as_text=True)
    client.post("/logout")
    outsider = create_staff(Role.WORKER, in_unit=None)
    login(outsider)
    assert client.get(f"/messages/{thread.id}").status_code == 403
    assert "Oma asia" not in client.get("/messages/inbox").get_data(as_text=True)
    assert len(db.session.scalars(select(Message)).all()) == 1 and db.session.scalar(select(Draft)) is None


def test_a_closed_enrolment_shows_a_clear_error(db, client, login, me, enrolment):
    thread = operations.start_thread(me.user, enrolment, "Asunto", "Hei")
    enrolment.status, enrolment.ended_on = EnrolmentStatus.ENDED, date.today()
    db.session.commit()
    login(me.user)
    response = client.post(f"/messages/{thread.id}/reply", data={"body": "Vielä yksi"})
    assert response.status_code == 400
    assert "The service has ended, so messages can no longer be sent here." in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Message)).all()) == 1


def test_read_state_is_per_thread(db, create_client, create_enrolment, coordinator):
    threads = []
    for _ in range(2):
        client = create_client()
        threads.append(operations.start_thread(client.user, create_enrolment(client, coordinator=coordinator),
                                               "Aihe", "Viesti"))
    operations.read_thread(coordinator, threads[0])
    unread = {row.thread.id: row.unread for row in queries.inbox(coordinator)}
    assert unread == {threads[0].id: False, threads[1].id: True}
