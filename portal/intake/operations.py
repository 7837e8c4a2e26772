"""Every state change of intake: receive, register or merge, assess, book the decision meeting, decide, sign.

Each takes the acting user, checks the rule it owns, writes the audit record and flushes; the request
commits once. A refusal raises ``IntakeError`` with a translated message before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import Role, User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.intake import deadlines, drafting, queries
from portal.intake.models import (
    AgendaReason,
    Assessment,
    AssessmentArea,
    Decision,
    DecisionMeeting,
    DecisionMeetingAttendee,
    DecisionMeetingItem,
    DecisionOutcome,
    HousingServiceType,
    IntakeChannel,
    IntakeItem,
    IntakeStatus,
    MeetingCapacity,
)
from portal.people.models import Client, ClientLanguage, Gender, OrgUnit, UnitMembership
from portal.programmes.models import Enrolment, EnrolmentStatus

PROGRAMME = "housing-guidance"
FEATURE = "intake"
# Seed 001: new clients go to SAP, and so do clients whose service need changes (already placed or in a queue).
NEW_PHASES = ("intake", "assessment", "decision")
CHANGE_PHASES = ("queue", "placed")


class IntakeError(ValueError):
    """A refused intake action; the message is translated and says what to do."""


@dataclass
class PersonDetails:
    """What a form gives about the person and their need (every channel shares it)."""

    municipality_code: str | None = None
    first_name: str = ""
    last_name: str = ""
    birth_year: int | None = None
    phone: str | None = None
    email: str | None = None
    language: str = "fi"
    description: str = ""
    highest_care_allowance: bool = False
    notifier_name: str | None = None
    notifier_organisation: str | None = None
    notifier_phone: str | None = None
    person_informed: bool | None = None
    person_consented: bool | None = None


def _audit(actor: User | None, action: AuditAction, object_type: str, object_id, client_id: int | None) -> None:
    record(actor, action, FEATURE, object_type, object_id, client_id)


def _apply(item: IntakeItem, details: PersonDetails) -> None:
    for f in fields(PersonDetails):
        value = getattr(details, f.name)
        setattr(item, f.name, value.strip() if isinstance(value, str) else value)
    item.updated_at = utcnow()


def _require_received_fields(item: IntakeItem) -> None:
    if not item.first_name or not item.last_name:
        raise IntakeError(_("Give the person's first and last name."))
    if not item.municipality_code:
        raise IntakeError(_("Choose the municipality."))
    if not item.description:
        raise IntakeError(_("Describe the need for housing services."))
    if item.channel is IntakeChannel.notification_35:
        if not item.notifier_name or not item.notifier_organisation:
            raise IntakeError(_("A notification under section 35 needs the notifier's name and organisation."))
        if item.person_informed is None or item.person_consented is None:
            raise IntakeError(_("Say whether the person was told about the notification and whether they agreed."))


# --- the client's own service request ---------------------------------------------------------------

def save_draft(actor: User, details: PersonDetails) -> IntakeItem:
    """Keep the client's service request as they type it (one draft per account, on the server)."""
    item = queries.draft_of(actor) or IntakeItem(channel=IntakeChannel.service_request, status=IntakeStatus.draft,
                                                 submitted_by_id=actor.id)
    _apply(item, details)
    db.session.add(item)
    db.session.flush()
    return item


def submit_request(actor: User, details: PersonDetails, today: date) -> IntakeItem:
    """Send the client's service request to the intake list."""
    client = queries.client_of(actor)
    if client is not None and queries.active_housing_enrolment(client.id) is not None:
        raise IntakeError(_("You already have a housing application in progress. Send a message to your worker."))
    item = save_draft(actor, details)
    item.client_id = client.id if client else None
    _require_received_fields(item)
    item.status, item.received_on = IntakeStatus.received, today
    db.session.flush()
    _audit(actor, AuditAction.CREATE, "intake_item", item.id, item.client_id)
    return item


# --- staff-entered contacts and §35 notifications ------------------------------------------------------

def receive(actor: User, channel: IntakeChannel, details: PersonDetails, received_on: date, today: date) -> IntakeItem:
    """Put a phone, paper or visit contact, or a professional's §35 notification, into the intake list."""
    if channel is IntakeChannel.service_request:
        raise IntakeError(_("Clients send service requests themselves in the client portal."))
    if not actor.has_role(Role.WORKER, Role.CARE_COORDINATOR, Role.TEAM_LEAD) and channel is not \
            IntakeChannel.notification_35:
        raise IntakeError(_("You may only make notifications of need for social welfare."))
    if received_on > today:
        raise IntakeError(_("The date received cannot be in the future."))
    item = IntakeItem(channel=channel, status=IntakeStatus.received, received_on=received_on,
                      submitted_by_id=actor.id)
    _apply(item, details)
    _require_received_fields(item)
    item.client_id = queries.matching_client_id(item)
    db.session.add(item)
    db.session.flush()
    _audit(actor, AuditAction.CREATE, "intake_item", item.id, item.client_id)
    return item


# --- registering: one client, one open application ----------------------------------------------------

def register(actor: User, item: IntakeItem, worker: User | None, today: date) -> Enrolment:
    """Match or create the client, open the housing enrolment (phase assessment) and its assessment."""
    if item.status is not IntakeStatus.received:
        raise IntakeError(_("This contact has already been handled."))
    duplicate = queries.duplicates_of(item)
    if duplicate.any:
        raise IntakeError(_("This person already has an open application. Merge this contact into it instead."))
    if item.client_id and _has_open_application(item.client_id):
        # Matched by hand to a client whose application is open: the same refusal as a flagged duplicate
        # (without it the database's one-active-enrolment rule would answer with an error page).
        raise IntakeError(_("This person already has an open application. Merge this contact into it instead."))
    client = db.session.get(Client, item.client_id) if item.client_id else _new_client(item)
    unit = _unit_for(actor, item.municipality_code)
    if unit is None:
        raise IntakeError(_("You are not a member of a unit that serves this municipality."))
    worker = worker or actor
    enrolment = Enrolment(client=client, programme_code=PROGRAMME, unit_id=unit.id, start_on=today,
                          phase="assessment", coordinator_id=worker.id, status=EnrolmentStatus.ACTIVE)
    db.session.add(enrolment)
    db.session.flush()
    due = deadlines.deadlines_for(item.received_on, deadlines.is_priority(
        client.birth_year, item.highest_care_allowance, item.received_on))
    db.session.add(Assessment(enrolment_id=enrolment.id, intake_item_id=item.id, worker_id=worker.id, rule=due.rule,
                              received_on=item.received_on, start_due_on=due.start_due_on, due_on=due.due_on))
    item.status, item.client_id, item.enrolment_id = IntakeStatus.registered, client.id, enrolment.id
    item.registered_by_id, item.registered_at = actor.id, utcnow()
    db.session.flush()
    _audit(actor, AuditAction.CREATE, "enrolment", enrolment.id, client.id)
    return enrolment


def _has_open_application(client_id: int) -> bool:
    return db.session.scalar(select(Enrolment.id).where(
        Enrolment.client_id == client_id, Enrolment.programme_code == PROGRAMME,
        Enrolment.status == EnrolmentStatus.ACTIVE).limit(1)) is not None


def _new_client(item: IntakeItem) -> Client:
    if item.birth_year is None:
        raise IntakeError(_("Give the person's birth year to create them as a client."))
    client = Client(first_name=item.first_name, last_name=item.last_name, birth_year=item.birth_year,
                    gender=Gender.UNKNOWN, municipality_code=item.municipality_code, phone=item.phone,
                    email=item.email, language=ClientLanguage.SV if item.language == "sv" else ClientLanguage.FI)
    db.session.add(client)
    db.session.flush()
    return client


def _unit_for(actor: User, municipality_code: str | None) -> OrgUnit | None:
    """The actor's unit that serves the municipality (the housing-guidance team of that area)."""
    units = db.session.scalars(select(OrgUnit).join(UnitMembership).where(UnitMembership.user_id == actor.id)).all()
    return next((u for u in units if any(m.code == municipality_code for m in u.municipalities)), None)


def merge(actor: User, item: IntakeItem) -> IntakeItem:
    """Join a duplicate contact to the person's existing application or open contact."""
    if item.status is not IntakeStatus.received:
        raise IntakeError(_("This contact has already been handled."))
    duplicate = queries.duplicates_of(item)
    if duplicate.enrolment is not None:
        item.enrolment_id, item.client_id = duplicate.enrolment.id, duplicate.enrolment.client_id
    elif duplicate.items:
        item.merged_into_id = duplicate.items[0].id
    else:
        raise IntakeError(_("There is nothing to merge this contact into."))
    item.status, item.registered_by_id, item.registered_at = IntakeStatus.merged, actor.id, utcnow()
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "intake_item", item.id, item.client_id)
    return item


# --- the assessment (PTA) ----------------------------------------------------------------------------

def update_assessment(actor: User, assessment: Assessment, worker: User | None, started_on: date | None,
                      completed_on: date | None, summary: str | None, today: date, client_summary: str | None = None,
                      areas: dict[str, tuple[str | None, str | None]] | None = None) -> Assessment:
    """Assign, start, write the summaries and the structured areas of, and complete a service-needs assessment.

    ``areas`` maps an area code to (the worker's assessment, the client's own view in their words)."""
    summary = (summary or "").strip() or None
    for day in (started_on, completed_on):
        if day is not None and day > today:
            raise IntakeError(_("A date cannot be in the future."))
    if started_on is not None and started_on < assessment.received_on:
        raise IntakeError(_("The assessment cannot start before the contact was received."))
    if completed_on is not None and (started_on is None or completed_on < started_on):
        raise IntakeError(_("An assessment is completed on or after the day it started."))
    if completed_on is not None and summary is None:
        raise IntakeError(_("Write the summary for the decision meeting before completing the assessment."))
    assessment.worker_id = worker.id if worker else assessment.worker_id
    assessment.started_on, assessment.completed_on, assessment.summary = started_on, completed_on, summary
    assessment.client_summary = (client_summary or "").strip() or None
    _set_areas(assessment, areas or {})
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "assessment", assessment.id, assessment.enrolment.client_id)
    return assessment


def _set_areas(assessment: Assessment, areas: dict[str, tuple[str | None, str | None]]) -> None:
    """One row per area written in; an area emptied of both texts is removed."""
    rows = {row.area_code: row for row in assessment.areas}
    for code, (worker_view, client_view) in areas.items():
        worker_view, client_view = (worker_view or "").strip() or None, (client_view or "").strip() or None
        row = rows.get(code)
        if worker_view is None and client_view is None:
            if row is not None:
                assessment.areas.remove(row)
            continue
        if row is None:
            row = AssessmentArea(area_code=code)
            assessment.areas.append(row)
        if (row.worker_view, row.client_view) != (worker_view, client_view):
            row.worker_view, row.client_view, row.updated_at = worker_view, client_view, utcnow()


# --- the decision meeting (SAP) -----------------------------------------------------------------------

def schedule_meetings_of_chair(actor: User, start: date, weeks: int, config: dict) -> list[DecisionMeeting]:
    """The meetings of the next weeks in every unit the service-unit manager belongs to (they chair them)."""
    units = db.session.scalars(select(OrgUnit).join(UnitMembership).where(UnitMembership.user_id == actor.id))
    return [meeting for unit in units for meeting in schedule_meetings(actor, unit, start, weeks, config)]


def schedule_meetings(actor: User, unit: OrgUnit, start: date, weeks: int, config: dict) -> list[DecisionMeeting]:
    """The twice-weekly meetings of the next weeks (configured weekdays and time); existing ones are kept.

    Seed 001: the chair is the service-unit manager (palveluyksikköpäällikkö), who schedules them.
    """
    from portal.scheduling.timeutil import local

    if not actor.has_role(Role.SERVICE_MANAGER):
        raise IntakeError(_("Only a service-unit manager chairs the decision meetings."))

    # From portal/config.py (PORTAL_INTAKE_SAP_* in the environment; a weekday list arrives as strings there).
    weekdays = {int(day) for day in config.get("INTAKE_SAP_WEEKDAYS", (1, 3))}  # Tuesday and Thursday
    at = config.get("INTAKE_SAP_TIME", "13:00")
    minutes = int(config.get("INTAKE_SAP_MINUTES", 90))
    hour, minute = (int(x) for x in at.split(":"))
    made = []
    for n in range(weeks * 7):
        day = start + timedelta(days=n)
        if day.weekday() not in weekdays or not deadlines.is_working_day(day):
            continue
        starts_at = local(day, datetime.min.time().replace(hour=hour, minute=minute))
        exists = db.session.scalar(select(DecisionMeeting.id).where(
            DecisionMeeting.unit_id == unit.id, DecisionMeeting.starts_at == starts_at))
        if exists is None:
            made.append(DecisionMeeting(unit_id=unit.id, starts_at=starts_at, minutes=minutes, chair_id=actor.id))
    db.session.add_all(made)
    db.session.flush()
    return made


def book_slot(actor: User, meeting: DecisionMeeting, enrolment: Enrolment, estimated_minutes: int,
              now: datetime) -> DecisionMeetingItem:
    """Put a client on the agenda with the worker's estimate; refused when the meeting would overflow.

    The slot is an agenda row, not a scheduling appointment of type ``decision-slot``: the client does not
    attend the SAP meeting (an appointment would put it in their calendar and reminders), and each planned
    start moves whenever an earlier item's estimate or actual length changes. What an appointment would
    prevent — two clients in one slot — is the agenda's own rule (one sequence per meeting, the meeting row
    locked while booking). The worker's own calendar shows the slot as busy time (``intake.commitments``).
    """
    if meeting.starts_at <= now:
        raise IntakeError(_("This meeting has already started. Choose a later meeting."))
    if enrolment.programme_code != PROGRAMME or enrolment.status is not EnrolmentStatus.ACTIVE \
            or enrolment.phase not in NEW_PHASES + CHANGE_PHASES:
        raise IntakeError(_("Only an open housing application or a client whose service need changes can be "
                            "brought to the decision meeting."))
    if enrolment.unit_id != meeting.unit_id:
        raise IntakeError(_("This meeting decides for another unit's clients. Choose your unit's meeting."))
    if not 1 <= estimated_minutes <= 120:
        raise IntakeError(_("Estimate between %(min)s and %(max)s minutes.", min=1, max=120))
    # Lock the meeting row (PostgreSQL) so that two workers booking at once cannot both fill the last minutes.
    db.session.execute(select(DecisionMeeting.id).where(DecisionMeeting.id == meeting.id).with_for_update())
    taken, last = db.session.execute(select(
        func.coalesce(func.sum(DecisionMeetingItem.estimated_minutes), 0),
        func.coalesce(func.max(DecisionMeetingItem.position), 0),
    ).where(DecisionMeetingItem.meeting_id == meeting.id)).one()
    if any(i.enrolment_id == enrolment.id for i in meeting.items):
        raise IntakeError(_("This client is already on the agenda of this meeting."))
    if taken + estimated_minutes > meeting.minutes:
        raise IntakeError(_("The meeting is full: %(free)s of %(total)s minutes are free. Choose another meeting "
                            "or a shorter estimate.", free=meeting.minutes - taken, total=meeting.minutes))
    reason = AgendaReason.changed_need if enrolment.phase in CHANGE_PHASES else AgendaReason.new_application
    item = DecisionMeetingItem(meeting=meeting, enrolment_id=enrolment.id, worker_id=actor.id, position=last + 1,
                               estimated_minutes=estimated_minutes, reason=reason,
                               assessment_id=getattr(queries.latest_assessment(enrolment.id), "id", None))
    db.session.add(item)
    if reason is AgendaReason.new_application:  # a placed or queued client keeps their place meanwhile
        enrolment.phase = "decision"
    db.session.flush()
    _audit(actor, AuditAction.CREATE, "decision_meeting_item", item.id, enrolment.client_id)
    return item


def may_chair(user: User, meeting: DecisionMeeting) -> bool:
    """The chair, or another service-unit manager of the meeting's unit (a substitute chair)."""
    return user.id == meeting.chair_id or (user.has_role(Role.SERVICE_MANAGER)
                                           and queries.is_member(user, meeting.unit_id))


def record_attendance(actor: User, meeting: DecisionMeeting, user_ids: set[int], now: datetime) -> list:
    """The chair records who attended, each in their capacity (seed 001: the chair, the lead social worker
    and the clients' workers); recording again replaces the list. The one recording chaired the meeting."""
    if not may_chair(actor, meeting):
        raise IntakeError(_("Only the chair of the meeting records who attended."))
    if meeting.starts_at > now:
        raise IntakeError(_("Attendance is recorded once the meeting has started."))
    members = {u.id: u for u in queries.sap_members(meeting.unit_id)}
    if not user_ids <= set(members):
        raise IntakeError(_("Choose the attendees from the unit's staff."))
    presenters = {i.worker_id for i in meeting.items}
    meeting.attendees.clear()
    db.session.flush()
    for user_id in sorted(user_ids | {actor.id}):
        user = members.get(user_id, actor)
        capacity = (MeetingCapacity.chair if user_id == actor.id else MeetingCapacity.lead_social_worker
                    if user.has_role(Role.TEAM_LEAD) else MeetingCapacity.client_worker if user_id in presenters
                    else MeetingCapacity.member)
        meeting.attendees.append(DecisionMeetingAttendee(user_id=user_id, capacity=capacity, recorded_by_id=actor.id))
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "decision_meeting", meeting.id, None)
    return meeting.attendees


def record_outcome(actor: User, item: DecisionMeetingItem, outcome: DecisionOutcome,
                   service_type: HousingServiceType | None, actual_minutes: int | None) -> Decision:
    """The chair records the meeting's outcome and the minutes used; the decision is drafted for signing."""
    if not may_chair(actor, item.meeting):
        raise IntakeError(_("Only the chair of the meeting records its outcomes."))
    if item.outcome is not None:
        raise IntakeError(_("The outcome of this item has already been recorded."))
    if (outcome is DecisionOutcome.granted) != (service_type is not None):
        raise IntakeError(_("Choose the housing service when, and only when, it is granted."))
    if actual_minutes is not None and not 0 <= actual_minutes <= 480:
        raise IntakeError(_("Give the minutes used as a number from 0 to 480."))
    item.outcome, item.service_type, item.actual_minutes = outcome, service_type, actual_minutes
    item.recorded_at, item.recorded_by_id = utcnow(), actor.id
    if outcome is DecisionOutcome.more_information and item.reason is AgendaReason.new_application:
        item.enrolment.phase = "assessment"
    decision = draft_decision(item)
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "decision_meeting_item", item.id, item.enrolment.client_id)
    return decision


def decision_language(client: Client) -> str:
    return "sv" if client.language is ClientLanguage.SV else "fi"


def draft_decision(item: DecisionMeetingItem) -> Decision:
    """The decision text from the template in the client's language, drafted in the worker's name."""
    client = item.enrolment.client
    language = decision_language(client)
    with force_locale(language):
        body = drafting.render(language, client=client, item=item, meeting=item.meeting,
                               assessment=item.assessment)
    decision = Decision(enrolment_id=item.enrolment_id, meeting_item_id=item.id, outcome=item.outcome,
                        service_type=item.service_type, language=language, body=body.strip(),
                        drafted_by_id=item.worker_id)
    db.session.add(decision)
    return decision


def edit_decision(actor: User, decision: Decision, body: str) -> Decision:
    if decision.signed:
        raise IntakeError(_("A signed decision cannot be changed."))
    body = (body or "").strip()
    if not body:
        raise IntakeError(_("The decision text cannot be empty."))
    decision.body = body
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "decision", decision.id, decision.enrolment.client_id)
    return decision


def sign_decision(actor: User, decision: Decision) -> Decision:
    """A team lead or the service-unit manager of the unit signs; never the drafter. Only then does the client
    see it."""
    if decision.signed:
        raise IntakeError(_("This decision has already been signed."))
    signer = actor.has_role(Role.TEAM_LEAD, Role.SERVICE_MANAGER)
    if not (signer and queries.is_member(actor, decision.enrolment.unit_id)):
        raise IntakeError(_("Only a team lead or the service-unit manager of the client's unit can sign a decision."))
    if actor.id == decision.drafted_by_id:
        raise IntakeError(_("You drafted this decision: another team lead must sign it."))
    decision.signed_at, decision.signed_by_id = utcnow(), actor.id
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "decision", decision.id, decision.enrolment.client_id)
    signals.decision_signed.send(actor, decision=decision)
    return decision
