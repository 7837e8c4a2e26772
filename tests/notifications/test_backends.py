"""Backends by name, checked at start; SMTP against a real local server, the SMS gateway against a local HTTP one."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.config import ConfigError
from portal.notifications import backends
from portal.notifications.models import Channel, OutboxStatus
from portal.notifications.operations import queue_message, send_due
from tests.conftest import make_app
from tests.support.services import free_port

NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
SMTP = {"EMAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_FROM": "Silta <noreply@silta.example>"}


def test_backends_are_chosen_by_name(app):
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **SMTP, SMS_BACKEND="http",
                     SMS_HTTP_URL="https://sms.example/api")
    with other.app_context():
        assert isinstance(backends.for_channel(Channel.EMAIL), backends.SmtpBackend)
        assert isinstance(backends.for_channel(Channel.SMS), backends.HttpSmsBackend)


@pytest.mark.parametrize(("settings", "complaint"), [
    ({"EMAIL_BACKEND": "carrier-pigeon"}, "PORTAL_EMAIL_BACKEND: unknown backend 'carrier-pigeon'"),
    ({"SMS_BACKEND": "smtp"}, "PORTAL_SMS_BACKEND: unknown backend 'smtp' .choose local or http"),
    ({"EMAIL_BACKEND": "smtp"}, "PORTAL_SMTP_HOST must be set"),
    ({**SMTP, "SMTP_TLS": "maybe"}, "PORTAL_SMTP_TLS must be one of"),
    ({"SMS_BACKEND": "http"}, "PORTAL_SMS_HTTP_URL must be set"),
    ({"SMS_BACKEND": "http", "SMS_HTTP_URL": "http://sms.example/api"}, "must use https"),
    ({"REMINDER_OFFSETS": [1440, 0]}, "PORTAL_REMINDER_OFFSETS"),
])
def test_a_wrong_setting_stops_the_start(app, settings, complaint):
    with pytest.raises(ConfigError, match=complaint):
        make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)


def email(recipient="aino@example.com"):
    return queue_message(channel=Channel.EMAIL, recipient=recipient, subject="Appointment reminder",
                         body="Reminder from Silta: you have an appointment on maanantai at 9.00.", send_after=NOW)


@pytest.fixture
def smtp_server():
    controller_module = pytest.importorskip(
        "aiosmtpd.controller", reason="aiosmtpd is not installed (pip install aiosmtpd): no local SMTP server to test")
    from aiosmtpd.smtp import AuthResult

    class Inbox:
        def __init__(self):
            self.envelopes, self.logins = [], []

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("nobody@"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted"

    inbox = Inbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        inbox.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=free_port(),
                                              authenticator=authenticate, auth_require_tls=False)
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def use_smtp(app, port):
    app.config.update(SMTP, SMTP_PORT=port, SMTP_TLS="none", SMTP_USER="silta", SMTP_PASSWORD="s3cret")
    backends.configure(app)


def test_smtp_delivers_to_a_real_server(app, db, smtp_server):
    use_smtp(app, smtp_server.port)
    message = email()
    assert send_due(NOW)["sent"] == 1
    assert message.status is OutboxStatus.SENT
    assert smtp_server.logins == [(b"silta", b"s3cret")]
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["aino@example.com"] and envelope.mail_from == "noreply@silta.example"
    received = message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == "Appointment reminder" and received["Auto-Submitted"] == "auto-generated"
    assert "you have an appointment on maanantai" in received.get_content()


def test_smtp_refusals_are_retried_without_the_address(app, db, smtp_server):
    use_smtp(app, smtp_server.port)
    refused, other = email("nobody@example.com"), email()
    assert send_due(NOW) == {"sent": 1, "retrying": 1, "failed": 0}
    assert refused.last_error == "SMTP SMTPRecipientsRefused"  # the class: its text would name the address
    assert other.status is OutboxStatus.SENT


@pytest.fixture
def sms_gateway():
    """A local HTTP server standing in for an SMS operator; answers with the statuses it is given."""
    received, answers = [], []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.path, self.headers["Authorization"], json.loads(self.rfile.read(length))))
            self.send_response(answers.pop(0) if answers else 202)
            self.end_headers()

        def log_message(self, *args):
            pass  # keep the test output (and any phone number) quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received, server.answers = received, answers
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def text_message():
    return queue_message(channel=Channel.SMS, recipient="+358401234567", subject="Appointment reminder",
                         body="Reminder from Silta", send_after=NOW)


def test_the_sms_gateway_gets_a_json_post(app, db, sms_gateway):
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=f"http://127.0.0.1:{sms_gateway.server_port}/send",
                      SMS_HTTP_TOKEN="t0ken", SMS_SENDER="Silta")
    backends.configure(app)
    sms_gateway.answers.append(503)
    message = text_message()
    assert send_due(NOW)["retrying"] == 1 and message.last_error == "HTTP 503"
    assert send_due(NOW.replace(hour=8))["sent"] == 1
    assert sms_gateway.received[-1] == (
        "/send", "Bearer t0ken", {"to": "+358401234567", "from": "Silta", "text": "Reminder from Silta"})


def test_an_unreachable_gateway_is_retried(app, db):
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=f"http://127.0.0.1:{free_port()}/send", SMS_HTTP_TOKEN="")
    backends.configure(app)
    message = text_message()
    assert send_due(NOW)["retrying"] == 1 and message.last_error == "HTTP ConnectionError"
