"""Enrolling a client follows the programme's rules; the database refuses impossible states."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.programmes import registry
from portal.programmes.operations import DecisionFacts, EnrolmentError, add_team_member, enrol


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER)


def test_enrol_sets_first_phase_planned_end_and_audits(db, unit, worker, create_client):
    client_row = create_client(birth_year=2003)
    enrolment = enrol(worker, client_row, registry.definition("many-services"), unit,
                      date(2026, 3, 2), coordinator=worker)
    assert enrolment.phase == "referral"
    assert enrolment.coordinator_role == "hoitovastaava"  # the programme's first contact-person role
    enrolment = enrol(worker, client_row, registry.definition("intensive-rehabilitation"), unit, date(2026, 3, 2),
                      coordinator=worker, decision=DecisionFacts(date(2026, 2, 20), date(2026, 9, 1), worker))
    assert enrolment.phase == "start"
    assert enrolment.planned_end_on == date(2026, 9, 1)  # 183 days: at most six months
    entry = db.session.scalars(select(AuditRecord).where(AuditRecord.action == AuditAction.CREATE)).first()
    assert (entry.client_id, entry.object_type) == (client_row.id, "enrolment")


def test_age_rules_are_kept(unit, worker, create_client):
    with pytest.raises(EnrolmentError):
        enrol(worker, create_client(birth_year=1980), registry.definition("intensive-rehabilitation"),
              unit, date(2026, 3, 2))


def test_no_second_active_enrolment(unit, worker, create_client):
    client_row = create_client()
    definition = registry.definition("remote-guidance")
    enrol(worker, client_row, definition, unit, date(2026, 1, 1))
    with pytest.raises(EnrolmentError):
        enrol(worker, client_row, definition, unit, date(2026, 2, 1))


def test_deputy_must_differ_and_be_a_worker(unit, worker, create_client, create_staff):
    definition = registry.definition("remote-guidance")
    with pytest.raises(EnrolmentError):
        enrol(worker, create_client(), definition, unit, date(2026, 1, 1), coordinator=worker, deputy=worker)
    with pytest.raises(EnrolmentError):
        enrol(worker, create_client(), definition, unit, date(2026, 1, 1),
              coordinator=create_staff(Role.HOUSING_UNIT))


def test_team_members_are_audited(db, unit, worker, create_client, create_staff):
    enrolment = enrol(worker, create_client(), registry.definition("many-services"), unit, date(2026, 1, 1))
    add_team_member(worker, enrolment, create_staff(Role.WORKER), "psychiatric-nurse")
    assert [m.team_role for m in enrolment.team] == ["psychiatric-nurse"]


@pytest.mark.parametrize("statement", [
    "UPDATE enrolments SET status = 'ended'",
    "UPDATE enrolments SET planned_end_on = '2000-01-01'",
    "UPDATE enrolments SET deputy_id = coordinator_id",
    "UPDATE enrolments SET status = 'paused'",
])
def test_bad_states_are_refused_by_the_database(db, worker, create_client, create_enrolment, statement):
    create_enrolment(create_client(), coordinator=worker)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement))
    db.session.rollback()
