"""Programme rows kept in step with the definition files, and enrolments checked against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import Role, User
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _l
from portal.people.models import Client, OrgUnit, UnitMembership
from portal.programmes.definitions_schema import ProgrammeDefinition
from portal.programmes.loader import LoadedProgramme
from portal.programmes.models import Enrolment, EnrolmentStatus, Programme, TeamMember, Transfer

CASE_ROLES = (Role.WORKER, Role.CARE_COORDINATOR, Role.TEAM_LEAD)
FEATURE = "programmes"
NOTE_MAX = 4000

MESSAGES = {
    "already": _l("The client already has an ongoing service in this programme."),
    "ended": _l("This service has already ended."),
    "not_my_unit": _l("You can start services only in a unit you work in."),
    "contact_role": _l("Choose the contact person's role from the list."),
    "team_role": _l("Choose the team member's role from the list."),
    "in_team": _l("%(name)s is already in the own team."),
    "end_reason": _l("Choose why the service ended from the list."),
    "end_future": _l("The end date cannot be in the future."),
    "end_before_start": _l("The service cannot end before it started (%(date)s)."),
    "decision_missing": _l("This programme rests on a decision: give its date, its last valid day and who made it."),
    "decision_order": _l("The decision cannot be valid only until before it was made."),
    "decision_after_start": _l("The decision must be made before the service starts."),
    "decision_before_start": _l("The decision must still be valid when the service starts."),
    "decision_too_long": _l("The decision is valid longer than this programme lasts (at most %(days)s days)."),
    "decider": _l("The decision maker must be an active worker."),
    "transfer_same": _l("The service is already with this worker."),
    "transfer_note": _l("Write a handover note for the new worker."),
    "note_long": _l("The handover note can be at most %(max)s characters.", max=NOTE_MAX),
}


class EnrolmentError(Refusal):
    """An enrolment the programme's rules do not allow; the message is translated for the user."""


@dataclass(frozen=True)
class DecisionFacts:
    """The decision a service rests on (seed 002), as the worker enters it."""

    decided_on: date | None
    valid_until: date | None
    decided_by: User | None


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
          coordinator: User | None = None, deputy: User | None = None, coordinator_role: str | None = None,
          decision: DecisionFacts | None = None) -> Enrolment:
    """Enrol a client in a programme, in its first phase, with the planned end its rules (or its decision) give."""
    _check_eligible(client, definition, start_on)
    _check_staff(coordinator, deputy)
    if _already_enrolled(client, definition.code):
        raise EnrolmentError(MESSAGES["already"])
    role = coordinator_role or definition.contact_roles[0].code
    if definition.contact_role(role) is None:
        raise EnrolmentError(MESSAGES["contact_role"], "coordinator_role")
    planned_end = _planned_end(definition, start_on, decision)
    enrolment = Enrolment(
        client=client, programme_code=definition.code, unit=unit, start_on=start_on, planned_end_on=planned_end,
        phase=definition.first_phase, coordinator=coordinator, deputy=deputy, status=EnrolmentStatus.ACTIVE,
        coordinator_role=role if coordinator is not None else None,
    )
    if decision is not None and definition.decision is not None:
        enrolment.decision_on, enrolment.decision_valid_until = decision.decided_on, decision.valid_until
        enrolment.decided_by = decision.decided_by
    _insert_one_active(enrolment)
    record(actor, AuditAction.CREATE, FEATURE, "enrolment", enrolment.id, client.id)
    return enrolment


def start_service(actor: User, client: Client, definition: ProgrammeDefinition, unit: OrgUnit, start_on: date,
                  coordinator: User | None, coordinator_role: str, deputy: User | None = None,
                  decision: DecisionFacts | None = None) -> Enrolment:
    """A worker starts a service from the client's page: in their own unit, the named people workers of it."""
    if not _works_in(actor, unit):
        raise EnrolmentError(MESSAGES["not_my_unit"], "unit_id")
    if coordinator is None:
        raise EnrolmentError(_l("Name the contact person."), "coordinator_id")
    _check_unit_worker(unit, coordinator, "coordinator_id")
    _check_unit_worker(unit, deputy, "deputy_id")
    return enrol(actor, client, definition, unit, start_on, coordinator=coordinator, deputy=deputy,
                 coordinator_role=coordinator_role, decision=decision)


def set_people(actor: User, enrolment: Enrolment, coordinator_role: str, deputy: User | None) -> Enrolment:
    """The coordinator's contact-person role and the deputy (the coordinator changes by transfer)."""
    definition = _definition_of(enrolment)
    _require_active(enrolment)
    if definition.contact_role(coordinator_role) is None:
        raise EnrolmentError(MESSAGES["contact_role"], "coordinator_role")
    _check_staff(enrolment.coordinator, deputy)
    _check_unit_worker(enrolment.unit, deputy, "deputy_id")
    enrolment.coordinator_role, enrolment.deputy = coordinator_role, deputy
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "enrolment", enrolment.id, enrolment.client_id,
           {"fields": ["coordinator_role", "deputy_id"]})
    return enrolment


def add_team_member(actor: User, enrolment: Enrolment, member: User, team_role: str) -> TeamMember:
    """A member of the client's own team, in a role from the programme's list."""
    definition = _definition_of(enrolment)
    _require_active(enrolment)
    if definition.team_role(team_role) is None:
        raise EnrolmentError(MESSAGES["team_role"], "team_role")
    _check_staff(member)
    if any(m.user_id == member.id for m in enrolment.team):
        raise EnrolmentError(_l("%(name)s is already in the own team.", name=member.display_name), "user_id")
    row = TeamMember(user=member, team_role=team_role)
    enrolment.team.append(row)
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "enrolment", enrolment.id, enrolment.client_id, {"fields": ["team"]})
    return row


def remove_team_member(actor: User, enrolment: Enrolment, member_id: int) -> None:
    _require_active(enrolment)
    row = next((m for m in enrolment.team if m.user_id == member_id), None)
    if row is None:
        return
    enrolment.team.remove(row)
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "enrolment", enrolment.id, enrolment.client_id, {"fields": ["team"]})


def transfer(actor: User, enrolment: Enrolment, to_user: User, note: str) -> Transfer:
    """Hand the service to another worker of the unit with a note; the client is told who their person is now."""
    _require_active(enrolment)
    if enrolment.coordinator_id == to_user.id:
        raise EnrolmentError(MESSAGES["transfer_same"], "to_user_id")
    _check_staff(to_user)
    _check_unit_worker(enrolment.unit, to_user, "to_user_id")
    note = (note or "").strip()
    if not note:
        raise EnrolmentError(MESSAGES["transfer_note"], "note")
    if len(note) > NOTE_MAX:
        raise EnrolmentError(MESSAGES["note_long"], "note")
    row = Transfer(enrolment=enrolment, from_user=enrolment.coordinator, to_user=to_user, note=note, by_id=actor.id)
    if enrolment.deputy_id == to_user.id:  # the deputy takes over: nobody deputises for now
        enrolment.deputy = None
    enrolment.coordinator = to_user
    db.session.add(row)
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "enrolment", enrolment.id, enrolment.client_id,
           {"fields": ["coordinator_id", "transfer"]})
    signals.service_transferred.send(actor, enrolment=enrolment, transfer=row)
    return row


def end_service(actor: User, enrolment: Enrolment, reason: str, ended_on: date, today: date) -> Enrolment:
    """End the service for a reason from the programme's list; listeners cancel its coming bookings and
    tell the decision maker; the measures and feedback "at the end" open from ``ended_on``."""
    definition = _definition_of(enrolment)
    _require_active(enrolment)
    if definition.end_reason(reason) is None:
        raise EnrolmentError(MESSAGES["end_reason"], "reason")
    if ended_on > today:
        raise EnrolmentError(MESSAGES["end_future"], "ended_on")
    if ended_on < enrolment.start_on:
        raise EnrolmentError(_l("The service cannot end before it started (%(date)s).",
                                date=enrolment.start_on.isoformat()), "ended_on")
    enrolment.status, enrolment.ended_on, enrolment.end_reason = EnrolmentStatus.ENDED, ended_on, reason
    enrolment.phase = definition.phases[-1].code
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "enrolment", enrolment.id, enrolment.client_id,
           {"fields": ["status", "ended_on", "end_reason"]})
    signals.service_ended.send(actor, enrolment=enrolment)
    return enrolment


def _definition_of(enrolment: Enrolment) -> ProgrammeDefinition:
    from portal.programmes import registry

    definition = registry.definition(enrolment.programme_code)
    if definition is None:
        raise EnrolmentError(_l("This programme is no longer offered."))
    return definition


def _require_active(enrolment: Enrolment) -> None:
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        raise EnrolmentError(MESSAGES["ended"])


def _planned_end(definition: ProgrammeDefinition, start_on: date, decision: DecisionFacts | None) -> date | None:
    max_days = definition.intensity.max_duration_days
    longest = start_on + timedelta(days=max_days) if max_days else None
    if definition.decision is None:
        return longest
    if decision is None or None in (decision.decided_on, decision.valid_until, decision.decided_by):
        raise EnrolmentError(MESSAGES["decision_missing"], "decision_on")
    if decision.valid_until < decision.decided_on:
        raise EnrolmentError(MESSAGES["decision_order"], "decision_valid_until")
    if decision.decided_on > start_on:
        raise EnrolmentError(MESSAGES["decision_after_start"], "decision_on")
    if decision.valid_until < start_on:
        raise EnrolmentError(MESSAGES["decision_before_start"], "decision_valid_until")
    if longest is not None and decision.valid_until > longest:
        raise EnrolmentError(_l("The decision is valid longer than this programme lasts (at most %(days)s days).",
                                days=max_days), "decision_valid_until")
    if not (decision.decided_by.is_staff and decision.decided_by.active and decision.decided_by.has_role(*CASE_ROLES)):
        raise EnrolmentError(MESSAGES["decider"], "decided_by_id")
    return decision.valid_until if definition.decision.valid_until_is_planned_end else longest


def _insert_one_active(enrolment: Enrolment) -> None:
    """The database keeps one active enrolment per client and programme; a racing second one is refused.

    The row is added inside the savepoint (``begin_nested`` flushes what is pending before it starts), so
    a refusal rolls back only this insert and the request's other changes stay usable.
    """
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError as exc:
        raise EnrolmentError(MESSAGES["already"]) from exc


def _works_in(user: User, unit: OrgUnit) -> bool:
    return db.session.scalar(select(UnitMembership.user_id).where(
        UnitMembership.unit_id == unit.id, UnitMembership.user_id == user.id)) is not None


def _check_unit_worker(unit: OrgUnit, person: User | None, field: str) -> None:
    if person is not None and not _works_in(person, unit):
        raise EnrolmentError(_l("%(name)s is not a worker of %(unit)s.", name=person.display_name,
                                unit=unit.name(str(get_locale() or "fi"))), field)


def _already_enrolled(client: Client, code: str) -> bool:
    return client.id is not None and db.session.scalar(select(Enrolment.id).where(
        Enrolment.client_id == client.id, Enrolment.programme_code == code,
        Enrolment.status == EnrolmentStatus.ACTIVE).limit(1)) is not None


def _age(client: Client, on: date) -> int:
    born = getattr(client, "birth_date", None)  # known exactly when registered with an identity code
    if born is None:
        return client.age_on(on.year)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_eligible(client: Client, definition: ProgrammeDefinition, start_on: date) -> None:
    age = _age(client, start_on)
    rules = definition.eligibility
    if (rules.age_min is not None and age < rules.age_min) or (rules.age_max is not None and age > rules.age_max):
        raise EnrolmentError(_l("The client is %(age)s years old; this programme is for ages %(min)s–%(max)s.",
                                age=age, min=rules.age_min if rules.age_min is not None else 0,
                                max=rules.age_max if rules.age_max is not None else "–"), "programme")


def _check_staff(*people: User | None) -> None:
    named = [p for p in people if p is not None]
    if any(not p.is_staff or not p.active or not p.has_role(*CASE_ROLES) for p in named):
        raise EnrolmentError(_l("Only active workers can be named as the coordinator, deputy or team member."))
    if len(named) == 2 and named[0].id == named[1].id:
        raise EnrolmentError(_l("The deputy must be a different person from the coordinator."))
