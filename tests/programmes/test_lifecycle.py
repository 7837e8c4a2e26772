"""Starting, handing over and ending a service: the programme's rules, nothing half-saved, everything audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.db import utcnow
from portal.measures import queries as measure_queries
from portal.notifications.models import OutboxMessage
from portal.people.models import ContactChannel, OrgUnit
from portal.people.permissions import can_see_client
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus, Transfer
from portal.programmes.operations import (
    DecisionFacts,
    EnrolmentError,
    add_team_member,
    end_service,
    set_people,
    start_service,
    transfer,
)
from portal.scheduling.models import Appointment, AppointmentStatus, Participant, ParticipantRole

TODAY = date(2026, 12, 6)


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER)


@pytest.fixture
def colleague(create_staff):
    return create_staff(Role.WORKER)


def count(model) -> int:
    from portal.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def start(actor, client_row, unit, programme="remote-guidance", **kw):
    kw.setdefault("coordinator", actor)
    kw.setdefault("coordinator_role", registry.definition(programme).contact_roles[0].code)
    return start_service(actor, client_row, registry.definition(programme), unit, kw.pop("start_on", TODAY), **kw)


# --- start -----------------------------------------------------------------------------------------

def test_start_names_people_and_audits_for_the_client(db, unit, worker, colleague, create_client):
    client_row = create_client()
    enrolment = start(worker, client_row, unit, "many-services", coordinator_role="omatyontekija", deputy=colleague)
    assert (enrolment.coordinator, enrolment.deputy, enrolment.coordinator_role) == (worker, colleague,
                                                                                     "omatyontekija")
    add_team_member(worker, enrolment, colleague, "psychiatric-nurse")
    entries = db.session.scalars(select(AuditRecord).where(AuditRecord.client_id == client_row.id,
                                                           AuditRecord.feature == "programmes")).all()
    assert [e.object_type for e in entries] == ["enrolment", "enrolment"]


def test_social_care_programmes_offer_only_omatyontekija(unit, worker, create_client):
    assert [r.code for r in registry.definition("remote-guidance").contact_roles] == ["omatyontekija"]
    assert [r.code for r in registry.definition("many-services").contact_roles] == ["hoitovastaava", "omatyontekija"]
    with pytest.raises(EnrolmentError) as caught:
        start(worker, create_client(), unit, "remote-guidance", coordinator_role="hoitovastaava")
    assert caught.value.field == "coordinator_role"


def test_a_31_year_old_is_refused_002_with_the_age_range(unit, worker, create_client):
    decision = DecisionFacts(TODAY - timedelta(days=3), TODAY + timedelta(days=90), worker)
    with pytest.raises(EnrolmentError) as caught:
        start(worker, create_client(birth_year=1995), unit, "intensive-rehabilitation", decision=decision)
    assert "31" in str(caught.value) and "18" in str(caught.value) and "29" in str(caught.value)
    assert count(Enrolment) == 0


def test_002_rests_on_a_decision_whose_validity_is_the_planned_end(unit, worker, colleague, create_client):
    client_row = create_client(birth_year=2004)
    with pytest.raises(EnrolmentError) as caught:
        start(worker, client_row, unit, "intensive-rehabilitation")
    assert caught.value.field == "decision_on"
    too_long = DecisionFacts(TODAY, TODAY + timedelta(days=400), colleague)
    with pytest.raises(EnrolmentError):
        start(worker, client_row, unit, "intensive-rehabilitation", decision=too_long)
    decision = DecisionFacts(TODAY - timedelta(days=2), TODAY + timedelta(days=120), colleague)
    enrolment = start(worker, client_row, unit, "intensive-rehabilitation", decision=decision)
    assert enrolment.planned_end_on == TODAY + timedelta(days=120)
    assert (enrolment.decision_on, enrolment.decided_by) == (TODAY - timedelta(days=2), colleague)


def test_second_active_service_in_a_programme_is_refused(unit, worker, create_client):
    client_row = create_client()
    start(worker, client_row, unit)
    with pytest.raises(EnrolmentError, match="already has an ongoing service"):
        start(worker, client_row, unit)
    assert count(Enrolment) == 1


def test_coordinator_must_be_a_worker_of_the_unit(db, unit, worker, create_client, create_staff):
    other_unit = OrgUnit(code="other", name_fi="Toinen", name_sv="Annan", name_en="Other", county="Helsinki")
    db.session.add(other_unit)
    outsider = create_staff(Role.WORKER, in_unit=other_unit, name="Ulla Ulkopuolinen")
    with pytest.raises(EnrolmentError, match="Ulla Ulkopuolinen is not a worker of") as caught:
        start(worker, create_client(), unit, coordinator=outsider)
    assert caught.value.field == "coordinator_id"
    with pytest.raises(EnrolmentError) as caught:  # nor may a worker start a service in another unit
        start(worker, create_client(), other_unit, coordinator=outsider)
    assert caught.value.field == "unit_id"
    assert count(Enrolment) == 0


def test_team_roles_come_from_the_programme(unit, worker, colleague, create_client):
    enrolment = start(worker, create_client(), unit, "many-services")
    with pytest.raises(EnrolmentError):
        add_team_member(worker, enrolment, colleague, "best friend")
    add_team_member(worker, enrolment, colleague, "omatyontekija")  # 003: the second contact person
    with pytest.raises(EnrolmentError, match="already in the own team"):
        add_team_member(worker, enrolment, colleague, "nurse")
    set_people(worker, enrolment, "hoitovastaava", colleague)
    assert (enrolment.coordinator_role, enrolment.deputy) == ("hoitovastaava", colleague)


# --- transfer --------------------------------------------------------------------------------------

def test_transfer_changes_the_coordinator_keeps_the_note_and_tells_the_client(db, unit, worker, colleague,
                                                                               create_client):
    client_row = create_client()
    client_row.preferred_channel = ContactChannel.SMS
    enrolment = start(worker, client_row, unit, deputy=colleague)
    with pytest.raises(EnrolmentError) as caught:
        transfer(worker, enrolment, colleague, "  ")
    assert caught.value.field == "note"
    row = transfer(worker, enrolment, colleague, "Asiakas toivoo iltapäiväaikoja.")
    assert (enrolment.coordinator, enrolment.deputy) == (colleague, None)  # the deputy took over
    assert (row.from_user, row.to_user, row.note) == (worker, colleague, "Asiakas toivoo iltapäiväaikoja.")
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.client_id == client_row.id))
    assert message is not None and colleague.display_name not in message.body  # the name is in the portal only
    with pytest.raises(EnrolmentError):
        transfer(colleague, enrolment, colleague, "again")
    assert count(Transfer) == 1


# --- end -------------------------------------------------------------------------------------------

def _appointment(db, enrolment, worker, hours: int) -> Appointment:
    starts = utcnow() + timedelta(hours=hours)
    ends = starts + timedelta(minutes=45)
    appointment = Appointment(programme_code=enrolment.programme_code, enrolment=enrolment,
                              contact_type="guidance-meeting", modality="video", starts_at=starts, ends_at=ends,
                              organizer_id=worker.id)
    appointment.participants = [
        Participant(role=ParticipantRole.HOST, user_id=worker.id, person_key=f"u:{worker.id}", busy_from=starts,
                    busy_until=ends),
        Participant(role=ParticipantRole.CLIENT, client_id=enrolment.client_id,
                    person_key=f"c:{enrolment.client_id}", busy_from=starts, busy_until=ends)]
    db.session.add(appointment)
    db.session.flush()
    return appointment


def test_ending_cancels_coming_bookings_with_notices_and_keeps_the_access_window(db, app, unit, worker,
                                                                                 create_client):
    client_row = create_client()
    client_row.preferred_channel = ContactChannel.SMS
    today = utcnow().date()
    enrolment = start(worker, client_row, unit, start_on=today - timedelta(days=30))
    coming, past = _appointment(db, enrolment, worker, 48), _appointment(db, enrolment, worker, -48)
    with pytest.raises(EnrolmentError) as caught:
        end_service(worker, enrolment, "bored", today, today)
    assert caught.value.field == "reason" and enrolment.status is EnrolmentStatus.ACTIVE
    end_service(worker, enrolment, "goals-reached", today, today)
    assert (enrolment.status, enrolment.end_reason, enrolment.ended_on) == (EnrolmentStatus.ENDED, "goals-reached",
                                                                            today)
    assert coming.status is AppointmentStatus.CANCELLED and past.status is AppointmentStatus.BOOKED
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.appointment_id == coming.id)) is not None
    assert can_see_client(worker, client_row.id)  # the 90 days to finish the records
    with pytest.raises(EnrolmentError, match="already ended"):
        end_service(worker, enrolment, "moved", today, today)


def test_ending_opens_the_end_questionnaires_for_the_client(db, unit, worker, create_client):
    client_row = create_client(birth_year=2004)
    today = utcnow().date()
    decision = DecisionFacts(today - timedelta(days=40), today + timedelta(days=120), worker)
    enrolment = start(worker, client_row, unit, "intensive-rehabilitation", start_on=today - timedelta(days=30),
                      decision=decision)
    before = {(d.occurrence.instrument, d.occurrence.key) for d in measure_queries.due_for_client(client_row)}
    assert ("3x10d", "end") not in before
    end_service(worker, enrolment, "goals-reached", today, today)
    after = {(d.occurrence.instrument, d.occurrence.key) for d in measure_queries.due_for_client(client_row)}
    assert {("3x10d", "end"), ("written-feedback", "end")} <= after


def test_ending_tells_the_decision_maker(db, unit, worker, colleague, create_client):
    today = utcnow().date()
    decision = DecisionFacts(today - timedelta(days=40), today + timedelta(days=120), colleague)
    enrolment = start(worker, create_client(birth_year=2004), unit, "intensive-rehabilitation",
                      start_on=today - timedelta(days=30), decision=decision)
    end_service(worker, enrolment, "decision-expired", today, today)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == colleague.id))
    assert message is not None and message.recipient == colleague.email
    assert can_see_client(colleague, enrolment.client_id)  # the decision maker keeps read access


def test_end_date_rules(unit, worker, create_client):
    enrolment = start(worker, create_client(), unit, start_on=TODAY - timedelta(days=5))
    for ended_on, field in ((TODAY + timedelta(days=1), "ended_on"), (TODAY - timedelta(days=6), "ended_on")):
        with pytest.raises(EnrolmentError) as caught:
            end_service(worker, enrolment, "moved", ended_on, TODAY)
        assert caught.value.field == field
    assert enrolment.status is EnrolmentStatus.ACTIVE


def test_a_racing_second_start_is_refused_by_the_database_index(db, unit, worker, create_client, monkeypatch):
    """Two workers start the same service at once: both checks pass, the unique index refuses the second."""
    from portal.programmes import operations

    client_row = create_client()
    start(worker, client_row, unit)
    monkeypatch.setattr(operations, "_already_enrolled", lambda *args: False)  # the check ran before the commit
    with pytest.raises(EnrolmentError, match="already has an ongoing service"):
        start(worker, client_row, unit)
    assert count(Enrolment) == 1  # the first one stays: only the savepoint was rolled back


def test_team_member_removed_and_an_ended_service_keeps_its_people(unit, worker, colleague, create_client):
    from portal.programmes.operations import remove_team_member

    enrolment = start(worker, create_client(), unit, start_on=TODAY - timedelta(days=5))
    add_team_member(worker, enrolment, colleague, "social-counsellor")
    remove_team_member(worker, enrolment, colleague.id)
    assert enrolment.team == []
    add_team_member(worker, enrolment, colleague, "instructor")
    end_service(worker, enrolment, "moved", TODAY, TODAY)
    for change in (lambda: set_people(worker, enrolment, "omatyontekija", None),
                   lambda: remove_team_member(worker, enrolment, colleague.id),
                   lambda: transfer(worker, enrolment, colleague, "note")):
        with pytest.raises(EnrolmentError, match="already ended"):
            change()
    assert [m.user for m in enrolment.team] == [colleague]


def test_definitions_check_their_lifecycle_lists():
    from pydantic import ValidationError

    from portal.programmes.definitions_schema import ProgrammeDefinition

    data = registry.definition("health-social-work").model_dump(mode="json")
    assert ProgrammeDefinition.model_validate(data).end.single_contact_reason == "served-in-one-contact"
    for broken in ({"end": {"single_contact_reason": "vanished"}}, {"contact_roles": []},
                   {"team_roles": [{"code": "omatyontekija", "name": {"fi": "x", "sv": "x", "en": "x"}}]}):
        with pytest.raises(ValidationError):
            ProgrammeDefinition.model_validate({**data, **broken})
