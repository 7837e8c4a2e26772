"""Reads for intake: the list, duplicates, assessments with their deadline state, agendas, the client's status."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.models import AccountKind, Role, User, UserRole
from portal.extensions import db
from portal.intake.models import (
    Assessment,
    AssessmentArea,
    Decision,
    DecisionMeeting,
    DecisionMeetingItem,
    IntakeItem,
    IntakeStatus,
)
from portal.people.models import Client, Municipality, UnitMembership, unit_municipalities
from portal.people.permissions import enrolments_visible_to
from portal.programmes.models import Enrolment, EnrolmentStatus

PROGRAMME = "housing-guidance"
# Who sits in SAP (seed 001): the service-unit manager chairs, with the lead social worker and the client's worker.
SAP_ROLES = (Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.CARE_COORDINATOR, Role.WORKER)


def client_of(user: User) -> Client | None:
    return db.session.scalar(select(Client).where(Client.user_id == user.id))


def draft_of(user: User) -> IntakeItem | None:
    return db.session.scalar(select(IntakeItem).where(
        IntakeItem.submitted_by_id == user.id, IntakeItem.status == IntakeStatus.draft))


def has_application(user: User) -> bool:
    """Whether the client has anything to see under "My housing application"."""
    return bool(db.session.scalar(select(application_exists(user.id))))


def application_exists(user_id) -> ColumnElement[bool]:
    """A housing enrolment, or a request sent or drafted (what ``client_status`` or ``draft_of`` would
    find), as one expression: every page's header asks (portal/web/header.py)."""
    enrolment = exists().where(Enrolment.client_id == Client.id, Client.user_id == user_id,
                               Enrolment.programme_code == PROGRAMME)
    request = exists().where(IntakeItem.submitted_by_id == user_id,
                             IntakeItem.status.in_((IntakeStatus.received, IntakeStatus.draft)))
    return or_(enrolment, request)


def active_housing_enrolment(client_id: int) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(
        Enrolment.client_id == client_id, Enrolment.programme_code == PROGRAMME,
        Enrolment.status == EnrolmentStatus.ACTIVE))


def latest_assessment(enrolment_id: int) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.enrolment_id == enrolment_id)
                             .order_by(Assessment.id.desc()).limit(1))


def is_member(user: User, unit_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        UnitMembership.user_id == user.id, UnitMembership.unit_id == unit_id))))


def intake_municipalities(configured: tuple[str, ...]) -> list[Municipality]:
    """The municipalities the housing intake offers (seed 001: one intake for the county's ten): those the
    organisation configured (``INTAKE_MUNICIPALITIES``), else every one a unit serves, by Finnish name."""
    codes = list(configured) if configured else select(unit_municipalities.c.municipality_code)
    return list(db.session.scalars(select(Municipality).where(Municipality.code.in_(codes))
                                   .order_by(Municipality.name_fi)))


def served_municipalities(user: User) -> Select:
    """The municipality codes of the units the user works in."""
    return (select(unit_municipalities.c.municipality_code)
            .join(UnitMembership, UnitMembership.unit_id == unit_municipalities.c.unit_id)
            .where(UnitMembership.user_id == user.id))


def matching_client_id(item: IntakeItem) -> int | None:
    """An existing client with the same name and birth year (case-insensitive), if exactly one."""
    if item.birth_year is None:
        return None
    ids = db.session.scalars(select(Client.id).where(
        func.lower(Client.first_name) == item.first_name.lower(),
        func.lower(Client.last_name) == item.last_name.lower(), Client.birth_year == item.birth_year)).all()
    return ids[0] if len(ids) == 1 else None


@dataclass
class Duplicate:
    enrolment: Enrolment | None = None
    items: list[IntakeItem] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return self.enrolment is not None or bool(self.items)


def duplicates_of(item: IntakeItem) -> Duplicate:
    """The same person's active housing enrolment or other open contacts (same client, or same name and year)."""
    client_id = item.client_id or matching_client_id(item)
    same_person = []
    if client_id:
        same_person.append(IntakeItem.client_id == client_id)
    if item.birth_year is not None:
        same_person.append(and_(func.lower(IntakeItem.first_name) == item.first_name.lower(),
                                func.lower(IntakeItem.last_name) == item.last_name.lower(),
                                IntakeItem.birth_year == item.birth_year))
    others = db.session.scalars(select(IntakeItem).where(
        IntakeItem.status == IntakeStatus.received, IntakeItem.id != item.id, or_(*same_person))
        .order_by(IntakeItem.received_on, IntakeItem.id)).all() if same_person else []
    enrolment = active_housing_enrolment(client_id) if client_id else None
    return Duplicate(enrolment, list(others))


def intake_list(user: User, status: IntakeStatus | None = IntakeStatus.received) -> list[IntakeItem]:
    """Contacts from every channel: open ones of the municipalities the user's units serve; handled ones of
    the user's own clients."""
    visible = or_(
        (IntakeItem.status == IntakeStatus.received) & IntakeItem.municipality_code.in_(served_municipalities(user)),
        IntakeItem.enrolment_id.in_(enrolments_visible_to(user).with_only_columns(Enrolment.id)),
    )
    query = select(IntakeItem).where(visible, IntakeItem.status != IntakeStatus.draft)
    if status is not None:
        query = query.where(IntakeItem.status == status)
    return list(db.session.scalars(query.order_by(IntakeItem.received_on.desc(), IntakeItem.id.desc()).limit(500)))


class DeadlineState(enum.StrEnum):
    done = "done"
    late_done = "late_done"
    on_track = "on_track"
    due_soon = "due_soon"
    late = "late"


def deadline_state(a: Assessment, today: date) -> DeadlineState:
    """Late when the start deadline (priority groups) or the completion deadline was, or is being, missed."""
    start_late = a.start_due_on is not None and (a.started_on or today) > a.start_due_on \
        and not (a.started_on and a.started_on <= a.start_due_on)
    if a.completed_on is not None:
        late = a.completed_on > a.due_on or start_late
        return DeadlineState.late_done if late else DeadlineState.done
    if start_late or today > a.due_on:
        return DeadlineState.late
    next_due = a.start_due_on if a.start_due_on and a.started_on is None else a.due_on
    return DeadlineState.due_soon if next_due - today <= timedelta(days=7) else DeadlineState.on_track


def assessments_for(user: User, open_only: bool = True) -> list[Assessment]:
    query = select(Assessment).join(Enrolment).where(
        Assessment.enrolment_id.in_(enrolments_visible_to(user).with_only_columns(Enrolment.id)))
    if open_only:
        query = query.where(Assessment.completed_on.is_(None))
    return list(db.session.scalars(query.order_by(Assessment.due_on, Assessment.id).limit(500)))


def meetings_for(user: User, since: datetime) -> list[DecisionMeeting]:
    units = select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)
    # The list shows each meeting's chair and booked minutes: loaded with it, not one query per meeting.
    return list(db.session.scalars(select(DecisionMeeting).where(
        DecisionMeeting.unit_id.in_(units), DecisionMeeting.starts_at >= since)
        .options(joinedload(DecisionMeeting.chair), selectinload(DecisionMeeting.items))
        .order_by(DecisionMeeting.starts_at).limit(20)))


@dataclass
class AgendaLine:
    item: DecisionMeetingItem
    planned_start: datetime
    visible: bool  # whether the viewer may read this client's summary


def agenda(user: User, meeting: DecisionMeeting) -> list[AgendaLine]:
    """Each item's planned start (the meeting's start plus the estimates before it). The unit's service-unit
    manager chairs and reads every item; a worker reads the items of their own clients."""
    visible_ids = set(db.session.scalars(enrolments_visible_to(user).with_only_columns(Enrolment.id).where(
        Enrolment.id.in_([i.enrolment_id for i in meeting.items]))))
    manager = manages_unit(user, meeting.unit_id)
    lines, at = [], meeting.starts_at
    for item in meeting.items:
        lines.append(AgendaLine(item, at, manager or item.enrolment_id in visible_ids))
        at += timedelta(minutes=item.estimated_minutes)
    return lines


def bookable_enrolments(user: User) -> list[Enrolment]:
    """The worker's clients that can go to the decision meeting: open applications, and clients already
    placed or in a queue whose service need changes (seed 001)."""
    return list(db.session.scalars(enrolments_visible_to(user).where(
        Enrolment.programme_code == PROGRAMME, Enrolment.status == EnrolmentStatus.ACTIVE,
        Enrolment.phase.in_(("assessment", "decision", "queue", "placed"))).options(joinedload(Enrolment.client))
        .order_by(Enrolment.id)))


def sap_members(unit_id: int) -> list[User]:
    """Who may be recorded as attending the unit's SAP meeting: its active service-unit managers, team leads
    and case workers, by name."""
    return list(db.session.scalars(
        select(User).join(UnitMembership, UnitMembership.user_id == User.id)
        .where(UnitMembership.unit_id == unit_id, User.kind == AccountKind.STAFF, User.active,
               exists().where(UserRole.user_id == User.id, UserRole.role.in_(SAP_ROLES)))
        .order_by(User.display_name, User.id)))


def manages_unit(user: User, unit_id: int) -> bool:
    """A service-unit manager of the unit: reads what its SAP meetings decide on, nothing else."""
    return user.has_role(Role.SERVICE_MANAGER) and is_member(user, unit_id)


def client_assessment(user: User) -> Assessment | None:
    """The signed-in client's latest assessment that has something written for them (their summary or views)."""
    return db.session.scalar(
        select(Assessment).join(Enrolment, Enrolment.id == Assessment.enrolment_id).join(Client)
        .where(Client.user_id == user.id, or_(Assessment.client_summary.is_not(None), exists().where(
            AssessmentArea.assessment_id == Assessment.id, AssessmentArea.client_view.is_not(None))))
        .order_by(Assessment.id.desc()).limit(1))


def booked_minutes(meeting: DecisionMeeting) -> int:
    return sum(i.estimated_minutes for i in meeting.items)


def decisions_of(enrolment_id: int, signed_only: bool) -> list[Decision]:
    query = select(Decision).where(Decision.enrolment_id == enrolment_id)
    if signed_only:
        query = query.where(Decision.signed_at.is_not(None))
    return list(db.session.scalars(query.order_by(Decision.id.desc())))


def decisions_for(user: User, signed: bool, limit: int = 50) -> list[Decision]:
    """Drafts waiting for a signature (oldest first), or the latest signed decisions, of the user's clients
    (a service-unit manager's: the decisions of their units' SAP meetings)."""
    mine = Decision.enrolment_id.in_(enrolments_visible_to(user).with_only_columns(Enrolment.id))
    if user.has_role(Role.SERVICE_MANAGER):
        mine = or_(mine, Decision.meeting_item_id.in_(
            select(DecisionMeetingItem.id).join(DecisionMeeting).where(DecisionMeeting.unit_id.in_(
                select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)))))
    query = select(Decision).where(
        Decision.signed_at.is_not(None) if signed else Decision.signed_at.is_(None), mine)
    order = Decision.signed_at.desc() if signed else Decision.drafted_at
    return list(db.session.scalars(query.order_by(order).limit(limit)))


# --- the client's view -----------------------------------------------------------------------------------

class Stage(enum.StrEnum):
    received = "received"
    assessed = "assessed"
    decided = "decided"
    queued = "queued"
    offered = "offered"
    placed = "placed"


STAGES = list(Stage)


@dataclass
class ClientStatus:
    stage: Stage
    enrolment: Enrolment | None
    decisions: list[Decision]
    open_request: IntakeItem | None
    queue: object | None = None


def client_status(user: User) -> ClientStatus | None:
    """Where the client's application is, without internal notes (summaries, agenda, drafts never appear)."""
    client = client_of(user)
    enrolment = _latest_housing_enrolment(client.id) if client else None
    open_request = db.session.scalar(select(IntakeItem).where(
        IntakeItem.submitted_by_id == user.id, IntakeItem.status == IntakeStatus.received))
    if enrolment is None:
        return ClientStatus(Stage.received, None, [], open_request) if open_request else None
    decisions = decisions_of(enrolment.id, signed_only=True)
    queue = _queue_status(enrolment.id)
    return ClientStatus(_stage(enrolment, decisions, queue), enrolment, decisions, open_request, queue)


def _latest_housing_enrolment(client_id: int) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(
        Enrolment.client_id == client_id, Enrolment.programme_code == PROGRAMME).order_by(Enrolment.id.desc()).limit(1))


def _queue_status(enrolment_id: int):
    try:  # the queues feature may not be there yet
        from portal.queues.queries import client_queue_status
    except ImportError:
        return None
    return client_queue_status(enrolment_id)


def _stage(enrolment: Enrolment, decisions: list[Decision], queue) -> Stage:
    """The queue feature's status (a mapping) when there is one; else the enrolment's phase and decisions."""
    if queue:
        if queue.get("placed") or enrolment.phase == "placed":
            return Stage.placed
        return Stage.offered if queue.get("offered") else Stage.queued
    by_phase = {"placed": Stage.placed, "queue": Stage.queued}
    if enrolment.phase in by_phase:
        return by_phase[enrolment.phase]
    if decisions:
        return Stage.decided
    return Stage.assessed if enrolment.phase in ("assessment", "decision") else Stage.received
