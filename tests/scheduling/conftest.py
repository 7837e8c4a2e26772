"""Scheduling test data: appointments and absences inserted directly, as booking would, without rules.

A module that wants PostgreSQL overrides ``app`` with the shared ``pg_app`` fixture
(see test_availability_postgres.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from portal.auth.models import User
from portal.db import utcnow
from portal.people.models import Client
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Absence, Appointment, AppointmentStatus, Participant, ParticipantRole


@pytest.fixture
def add_appointment(db):
    """Insert an appointment with its participant rows, as booking would, but with no rules checked."""

    def factory(starts_at: datetime, minutes: int = 60, workers: tuple[User, ...] = (), client: Client | None = None,
                travel: int = 0, blocking: bool = True) -> Appointment:
        ends_at, pad = starts_at + timedelta(minutes=minutes), timedelta(minutes=travel)
        organizer = workers[0] if workers else db.session.scalar(db.select(User).limit(1))
        appointment = Appointment(
            programme_code="remote-guidance", contact_type="guidance-meeting", modality=Modality.HOME_VISIT,
            starts_at=starts_at, ends_at=ends_at, travel_minutes=travel, organizer_id=organizer.id,
            status=AppointmentStatus.BOOKED if blocking else AppointmentStatus.CANCELLED,
            cancelled_at=None if blocking else utcnow(),
        )
        appointment.participants = [
            Participant(role=ParticipantRole.HOST if i == 0 else ParticipantRole.WORKER, user_id=w.id,
                        person_key=f"u:{w.id}", busy_from=starts_at - pad, busy_until=ends_at + pad, blocking=blocking)
            for i, w in enumerate(workers)
        ]
        if client is not None:
            appointment.participants.append(Participant(
                role=ParticipantRole.CLIENT, client_id=client.id, person_key=f"c:{client.id}",
                busy_from=starts_at, busy_until=ends_at, blocking=blocking))
        db.session.add(appointment)
        db.session.flush()
        return appointment

    return factory


@pytest.fixture
def add_absence(db):
    def factory(worker: User, starts_at: datetime, ends_at: datetime, reason: str = "loma") -> Absence:
        row = Absence(user_id=worker.id, starts_at=starts_at, ends_at=ends_at, reason=reason)
        db.session.add(row)
        db.session.flush()
        return row

    return factory


@pytest.fixture
def count_queries(db):
    """A context manager counting the SQL statements sent to the database inside it."""
    @contextmanager
    def counting():
        statements: list[str] = []
        listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
        db.session.flush()  # pending writes are not the code under test
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)

    return counting
