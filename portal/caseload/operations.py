"""The worker's side of a client's portal account: handing over an activation code."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from portal.auth.models import User
from portal.i18n import _
from portal.notifications.models import Channel
from portal.notifications.operations import language_of, queue_message
from portal.people.models import Client
from portal.people.operations import issue_activation_code

ACTIVATION_PATH = "/activate"


def hand_over_activation(actor: User, client: Client, channel: str) -> str:
    """Issue a code and queue it by SMS or email; for a letter the caller prints it. Returns the plain code."""
    code = issue_activation_code(actor, client, channel)
    if channel in ("sms", "email"):
        with force_locale(language_of(client)):
            subject, body = _("Your Silta activation code"), _(
                "Silta: your activation code is %(code)s. Go to %(link)s, enter the code and your date of birth, "
                "and choose a password. The code is valid for %(days)s days.",
                code=code, link=activation_link(), days=current_app.config["CLIENT_ACTIVATION_DAYS"])
        queue_message(channel=Channel(channel), recipient=(client.phone if channel == "sms" else client.email).strip(),
                      subject=subject, body=body, client_id=client.id)
    return code


def activation_link() -> str:
    """The activation page on the public address (a letter or message outlives the request)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + ACTIVATION_PATH
