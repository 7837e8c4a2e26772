"""The outbox page: administrators see what was sent and that nothing left the machine; nobody else sees it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.auth.models import Role
from portal.notifications.models import Channel
from portal.notifications.operations import queue_message, send_due
from portal.notifications.queries import mask

NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(("channel", "recipient", "masked"), [
    (Channel.SMS, "+358401234567", "+35840*****67"),
    (Channel.SMS, "0401234567", "040123**67"),
    (Channel.SMS, "112", "*12"),
    (Channel.EMAIL, "aino@example.com", "a***@example.com"),
])
def test_recipients_are_masked(channel, recipient, masked):
    assert mask(channel, recipient) == masked


def test_admin_sees_the_outbox_masked(client, db, login, create_staff):
    queue_message(channel=Channel.SMS, recipient="+358401234567", subject="Appointment reminder",
                  body="Reminder from Silta: you have an appointment", send_after=NOW)
    queue_message(channel=Channel.EMAIL, recipient="aino@example.com", subject="Appointment cancelled",
                  body="Silta: your appointment has been cancelled.", send_after=datetime(2099, 1, 1, tzinfo=UTC))
    send_due(NOW)
    login(create_staff(Role.ADMIN))
    client.post("/language", data={"locale": "en"})
    response = client.get("/admin/outbox")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "+35840*****67" in page and "a***@example.com" in page
    assert "Appointment reminder" in page and "Appointment cancelled" in page
    assert "+358401234567" not in page and "aino@example.com" not in page and "Reminder from Silta" not in page
    assert "nothing leaves this machine" in page


def test_an_empty_outbox(client, login, create_staff):
    login(create_staff(Role.ADMIN))
    assert client.get("/admin/outbox").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "client", "worker", "team_lead"])
def test_only_administrators_see_the_outbox(client, login, create_staff, create_client, who):
    if who == "client":
        login(create_client().user)
    elif who != "anonymous":
        login(create_staff(Role(who)))
    response = client.get("/admin/outbox")
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
