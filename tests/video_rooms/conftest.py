"""A worker and a video appointment booked ten minutes from now, for the room and signaling tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth.models import Role
from portal.db import utcnow
from portal.programmes.definitions_schema import Modality
from portal.scheduling.operations import BookingRequest, book


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Anna Korhonen", locale="en")


def book_video(db, worker, enrolment, minutes_from_now=10):
    starts = (utcnow() + timedelta(minutes=minutes_from_now)).replace(second=0, microsecond=0)
    appointment, _ = book(worker, BookingRequest(enrolment=enrolment, contact_type="video-call",
                                                 modality=Modality.VIDEO, starts_at=starts, minutes=45, urgent=True),
                          now=starts - timedelta(hours=1))
    db.session.commit()
    return appointment
