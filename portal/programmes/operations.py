"""Programme rows kept in step with the definition files, and enrolments checked against them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import Role, User
from portal.extensions import db
from portal.i18n import _l
from portal.people.models import Client, OrgUnit
from portal.programmes.definitions_schema import ProgrammeDefinition
from portal.programmes.loader import LoadedProgramme
from portal.programmes.models import Enrolment, EnrolmentStatus, Programme, TeamMember

CASE_ROLES = (Role.WORKER, Role.CARE_COORDINATOR, Role.TEAM_LEAD)


class EnrolmentError(ValueError):
    """An enrolment the programme's rules do not allow; the message is translated for the user."""


def sync_programmes(loaded: dict[str, LoadedProgramme]) -> None:
    """Insert or update a row per definition; retire rows whose file is gone (their history stays)."""
    rows = {p.code: p for p in db.session.scalars(select(Programme))}
    for code, item in loaded.items():
        row = rows.get(code) or Programme(code=code)
        row.version, row.checksum, row.retired = item.definition.version, item.checksum, False
        db.session.add(row)
    for code, row in rows.items():
        if code not in loaded:
            row.retired = True
    db.session.flush()


def enrol(actor: User, client: Client, definition: ProgrammeDefinition, unit: OrgUnit, start_on: date,
          coordinator: User | None = None, deputy: User | None = None) -> Enrolment:
    """Enrol a client in a programme, in its first phase, with the planned end its rules give."""
    _check_eligible(client, definition, start_on)
    _check_staff(coordinator, deputy)
    if _already_enrolled(client, definition.code):
        raise EnrolmentError(_l("The client is already in this programme."))
    max_days = definition.intensity.max_duration_days
    enrolment = Enrolment(
        client=client, programme_code=definition.code, unit=unit, start_on=start_on,
        planned_end_on=start_on + timedelta(days=max_days) if max_days else None,
        phase=definition.first_phase, coordinator=coordinator, deputy=deputy, status=EnrolmentStatus.ACTIVE,
    )
    db.session.add(enrolment)
    db.session.flush()
    record(actor, AuditAction.CREATE, "programmes", "enrolment", enrolment.id, client.id)
    return enrolment


def add_team_member(actor: User, enrolment: Enrolment, member: User, team_role: str) -> TeamMember:
    _check_staff(member)
    row = TeamMember(enrolment=enrolment, user=member, team_role=team_role.strip()[:120])
    db.session.add(row)
    db.session.flush()
    record(actor, AuditAction.UPDATE, "programmes", "enrolment", enrolment.id, enrolment.client_id,
           {"fields": ["team"]})
    return row


def _already_enrolled(client: Client, code: str) -> bool:
    return client.id is not None and db.session.scalar(select(Enrolment.id).where(
        Enrolment.client_id == client.id, Enrolment.programme_code == code,
        Enrolment.status == EnrolmentStatus.ACTIVE).limit(1)) is not None


def _check_eligible(client: Client, definition: ProgrammeDefinition, start_on: date) -> None:
    age = client.age_on(start_on.year)
    rules = definition.eligibility
    if (rules.age_min is not None and age < rules.age_min) or (rules.age_max is not None and age > rules.age_max):
        raise EnrolmentError(_l("The client's age (%(age)s) is outside this programme's age range.", age=age))


def _check_staff(*people: User | None) -> None:
    named = [p for p in people if p is not None]
    if any(not p.is_staff or not p.active or not p.has_role(*CASE_ROLES) for p in named):
        raise EnrolmentError(_l("Only active workers can be named as the coordinator, deputy or team member."))
    if len(named) == 2 and named[0].id == named[1].id:
        raise EnrolmentError(_l("The deputy must be a different person from the coordinator."))
