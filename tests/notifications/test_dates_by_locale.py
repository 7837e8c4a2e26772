"""Notification texts write dates and times as the pages do, by the recipient's language (fi_FI, sv_FI, en_GB
through the shared filters), never Babel's plain "sv" (ISO, 14:15) or "en" (US: November 26, 2:15 PM)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest

from portal.auth.models import Role
from portal.notifications.models import OutboxMessage
from portal.notifications.operations import Notice, compose
from portal.notifications.subscribers import on_service_ended
from portal.programmes.definitions_schema import Modality
from portal.scheduling.timeutil import local
from tests.notifications import make_appointment, outbox

THURSDAY = local(date(2036, 11, 27), time(14, 15))
EXPECTED = {  # the date, the time; what must not appear
    "fi": ("torstai 27. marraskuuta 2036", "14.15", ("14:15",)),
    "sv": ("torsdag 27 november 2036", "14.15", ("2036-11-27", "14:15")),
    "en": ("Thursday, 27 November 2036", "14:15", ("November 27", "PM", "11/27")),
}


@pytest.fixture
def appointment(db, create_staff, create_client):
    return make_appointment(create_staff(Role.WORKER), [create_client()], THURSDAY,
                            booked_at=datetime(2036, 11, 1, tzinfo=UTC), modality=Modality.VIDEO)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_appointment_notices_by_the_recipients_locale(app, appointment, language):
    day, at, never = EXPECTED[language]
    for kind in (Notice.REMINDER, Notice.BOOKED, Notice.CANCELLED):
        _subject, body = compose(kind, appointment, language)
        assert day in body and at in body, (kind, body)
        assert not any(bad in body for bad in never), (kind, body)


def test_the_service_ended_email_to_the_decider(app, db, create_staff):
    decider = create_staff(Role.WORKER)
    for language, decided, ended in (("sv", "2 feb. 2036", "27 nov. 2036"), ("en", "2 Feb 2036", "27 Nov 2036"),
                                     ("fi", "2.2.2036", "27.11.2036")):
        decider.locale = language
        enrolment = SimpleNamespace(id=len(language) * 100 + ord(language[0]), client_id=1, decided_by=decider,
                                    decision_on=date(2036, 2, 2), ended_on=date(2036, 11, 27))
        on_service_ended(None, enrolment=enrolment)
        body = outbox()[-1].body
        assert decided in body and ended in body, body
        assert "2036-" not in body and "Feb 2," not in body
    assert len(outbox()) == 3 and all(isinstance(m, OutboxMessage) for m in outbox())
