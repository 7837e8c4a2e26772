"""Delivery backends: how a queued message leaves Silta, one backend per channel, chosen by name.

A backend has one method, ``send(message) -> None``, which returns when the message was handed over
and raises on failure. The sender (``operations.send_due``) records the outcome, retries and logs; a
backend must therefore never put a recipient, a subject or a body into an exception it raises:
``DeliveryError`` carries a short, safe reason ("SMTP 550", "HTTP 503"), and every other error is
recorded by its class name only.

- ``local`` (both channels, the embedded default and the tests): nothing leaves the machine; the
  outbox row itself is the delivery and the admin's outbox page shows it.
- ``smtp`` (email): the standard library's smtplib, with STARTTLS, implicit TLS or none
  (``PORTAL_SMTP_HOST``, ``_PORT``, ``_TLS``, ``_USER``, ``_PASSWORD``, ``_FROM``).
- ``http`` (text messages): a skeleton for an SMS gateway's HTTP API — a JSON POST
  ``{"to", "from", "text"}`` with ``Authorization: Bearer <PORTAL_SMS_HTTP_TOKEN>`` to
  ``PORTAL_SMS_HTTP_URL``; any 2xx answer means accepted. A real operator's API usually differs in the
  payload only: subclass and override ``payload``.

``configure(app)`` builds the backends once at start; an unknown name or a missing setting stops the
start with a ``ConfigError`` that names the variable to fix.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from ipaddress import ip_address
from typing import Protocol
from urllib.parse import urlsplit

import requests
from flask import Flask, current_app

from portal.config import ConfigError
from portal.i18n import _l
from portal.notifications.models import Channel, OutboxMessage

EXTENSION = "silta.notification_backends"


class DeliveryError(Exception):
    """A backend could not hand the message over; the text is safe to store and log (no personal data)."""


class Backend(Protocol):
    description: str

    def send(self, message: OutboxMessage) -> None: ...


class LocalOutboxBackend:
    """Keeps the message in the outbox and calls it sent: nothing leaves the machine."""

    description = _l("Local outbox: nothing leaves this machine. Messages are only kept and shown here.")

    def __init__(self, config: dict) -> None:
        pass

    def send(self, message: OutboxMessage) -> None:
        return None


class SmtpBackend:
    """Email through an SMTP server, one connection per message (reminders are few and spread out)."""

    description = _l("Email is sent through an SMTP server.")
    TLS_MODES = ("starttls", "ssl", "none")

    def __init__(self, config: dict) -> None:
        for key in ("SMTP_HOST", "SMTP_FROM"):
            if not config[key]:
                raise ConfigError(f"PORTAL_{key} must be set when PORTAL_EMAIL_BACKEND=smtp")
        if config["SMTP_TLS"] not in self.TLS_MODES:
            raise ConfigError(f"PORTAL_SMTP_TLS must be one of {', '.join(self.TLS_MODES)}")
        self.host, self.port, self.tls = config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_TLS"]
        self.user, self.password, self.sender = config["SMTP_USER"], config["SMTP_PASSWORD"], config["SMTP_FROM"]
        self.timeout = config["NOTIFICATION_TIMEOUT_SECONDS"]

    def send(self, message: OutboxMessage) -> None:
        try:
            with self._connect() as smtp:
                if self.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(self._email(message))
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            # SMTPRecipientsRefused and friends carry the address: keep only the kind of failure.
            raise DeliveryError(f"SMTP {type(exc).__name__}") from None

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _email(self, message: OutboxMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"], email["To"] = self.sender, message.recipient
        email["Subject"] = message.subject or ""
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip(">") or None)
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body)
        return email


class HttpSmsBackend:
    """Text messages through an HTTP gateway (a skeleton: JSON POST, bearer token, 2xx = accepted)."""

    description = _l("Text messages are sent through an HTTP gateway.")

    def __init__(self, config: dict) -> None:
        url = config["SMS_HTTP_URL"]
        if not url:
            raise ConfigError("PORTAL_SMS_HTTP_URL must be set when PORTAL_SMS_BACKEND=http")
        if not _https_or_loopback(url):
            raise ConfigError("PORTAL_SMS_HTTP_URL must use https (plain http only on this machine)")
        self.url, self.token, self.sender = url, config["SMS_HTTP_TOKEN"], config["SMS_SENDER"]
        self.timeout = config["NOTIFICATION_TIMEOUT_SECONDS"]

    def payload(self, message: OutboxMessage) -> dict:
        return {"to": message.recipient, "from": self.sender, "text": message.body}

    def send(self, message: OutboxMessage) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = requests.post(self.url, json=self.payload(message), headers=headers, timeout=self.timeout,
                                     allow_redirects=False)
        except requests.RequestException as exc:
            raise DeliveryError(f"HTTP {type(exc).__name__}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"HTTP {response.status_code}")


def _https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


CHOICES: dict[Channel, dict[str, type]] = {
    Channel.EMAIL: {"local": LocalOutboxBackend, "smtp": SmtpBackend},
    Channel.SMS: {"local": LocalOutboxBackend, "http": HttpSmsBackend},
}
SETTING = {Channel.EMAIL: "EMAIL_BACKEND", Channel.SMS: "SMS_BACKEND"}


def configure(app: Flask) -> None:
    """Build each channel's backend from its configured name; refuse an unknown name at start."""
    built = {}
    for channel, choices in CHOICES.items():
        key = SETTING[channel]
        name = app.config[key]
        if name not in choices:
            raise ConfigError(f"PORTAL_{key}: unknown backend {name!r} (choose {' or '.join(choices)})")
        built[channel] = choices[name](app.config)
    app.extensions[EXTENSION] = built


def for_channel(channel: Channel) -> Backend:
    """The current app's backend for ``channel``."""
    return current_app.extensions[EXTENSION][channel]


def configured() -> dict[Channel, Backend]:
    """Every channel's backend in the current app (for the outbox page)."""
    return dict(current_app.extensions[EXTENSION])
