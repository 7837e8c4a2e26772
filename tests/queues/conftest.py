"""Queue test data: housing units with their staff, housing clients, queue entries, coordinators."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from portal.auth.models import Role
from portal.intake.models import HousingServiceType
from portal.people.models import Municipality
from portal.queues import operations
from portal.queues.models import HousingUnit, QueuePriority

_serial = itertools.count(1)


@pytest.fixture
def raasepori(db):
    row = db.session.get(Municipality, "710") or Municipality(code="710", name_fi="Raasepori", name_sv="Raseborg")
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def coordinator(create_staff):
    return create_staff(Role.QUEUE_COORDINATOR, name="Jonna Laine")


@pytest.fixture
def deputy(create_staff):
    return create_staff(Role.QUEUE_COORDINATOR, name="Pekka Lehto")


@pytest.fixture
def queue(db, coordinator, deputy):
    row = operations.ensure_queue(HousingServiceType.supported)
    row.coordinator_id, row.deputy_id = coordinator.id, deputy.id
    db.session.flush()
    return row


@pytest.fixture
def create_unit(db, municipality, create_staff):
    def factory(service_type=HousingServiceType.supported, places: int = 10, staff=(), where=None) -> HousingUnit:
        unit = HousingUnit(name=f"Asumisyksikkö {next(_serial)}", municipality_code=(where or municipality).code,
                           service_type=service_type, places=places, provider="Palvelu Oy", staff=list(staff))
        db.session.add(unit)
        db.session.flush()
        return unit

    return factory


@pytest.fixture
def housing_client(create_client, create_enrolment):
    """A client in housing-guidance, moved to the decision phase (as the intake feature leaves them)."""

    def factory(where: Municipality | None = None, coordinator=None):
        client = create_client()
        if where is not None:
            client.municipality_code = where.code
        enrolment = create_enrolment(client, programme="housing-guidance", coordinator=coordinator)
        enrolment.phase = "decision"
        return enrolment

    return factory


@pytest.fixture
def queued(queue, housing_client, coordinator):
    """Put a new housing client into the supported-housing queue on ``queued_on``."""

    def factory(queued_on: date, priority=QueuePriority.NORMAL, where=None, preferred_unit=None, at=None):
        entry = operations.enqueue(coordinator, housing_client(where), HousingServiceType.supported,
                                   priority=priority, queued_on=queued_on, preferred_unit=preferred_unit)
        if at is not None:
            entry.queued_at = at
        return entry

    return factory


def at(hour: int) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=UTC)
