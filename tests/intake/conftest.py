"""A housing-guidance team: two team leads, a worker, staff of other kinds, and a worker of another unit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.auth.models import Role
from portal.intake import operations
from portal.intake.models import IntakeChannel
from portal.people.models import OrgUnit

TODAY = date(2026, 11, 16)  # a Monday
NOW = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


@pytest.fixture
def team(db, create_staff, municipality):
    other_unit = OrgUnit(code="other-unit", name_fi="Muu", name_sv="Annan", name_en="Other", county="X",
                         municipalities=[])
    db.session.add(other_unit)
    db.session.flush()
    return {
        "lead": create_staff(Role.TEAM_LEAD, Role.WORKER, name="Lead One"),
        "lead2": create_staff(Role.TEAM_LEAD, name="Lead Two"),
        # Seed 001: the service-unit manager (palveluyksikköpäällikkö) chairs SAP.
        "chair": create_staff(Role.SERVICE_MANAGER, name="Manager"),
        "worker": create_staff(Role.WORKER, name="Worker"),
        "stranger": create_staff(Role.WORKER, name="Stranger", in_unit=other_unit),
        "queue": create_staff(Role.QUEUE_COORDINATOR),
        "housing": create_staff(Role.HOUSING_UNIT),
        "referrer": create_staff(Role.REFERRER),
    }


def details(**overrides) -> operations.PersonDetails:
    values = {"municipality_code": "091", "first_name": "Ville", "last_name": "Asukas", "birth_year": 1970,
              "description": "Tarvitsee tuettua asumista.", "phone": "+358401111111"}
    values.update(overrides)
    return operations.PersonDetails(**values)


def notification(**overrides) -> operations.PersonDetails:
    values = {"notifier_name": "Hoitaja Heikki", "notifier_organisation": "Terveysasema", "person_informed": True,
              "person_consented": True}
    values.update(overrides)
    return details(**values)


@pytest.fixture
def sign_in(app, db):
    """A fresh browser signed in as the user (one test may need several people)."""
    from tests.conftest import PASSWORD

    def do(user):
        db.session.commit()
        browser = app.test_client()
        assert browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        return browser

    return do


@pytest.fixture
def registered(db, team):
    """A phone contact registered by the worker: an enrolment in phase assessment with its assessment."""
    item = operations.receive(team["worker"], IntakeChannel.phone, details(), TODAY, TODAY)
    enrolment = operations.register(team["worker"], item, None, TODAY)
    db.session.commit()
    return enrolment
