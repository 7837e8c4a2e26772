"""Every change to a plan: each checks who acts, writes the audit record and flushes (the request commits)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _l
from portal.plans import permissions, photos
from portal.plans.models import (
    MAX_CONTINUATION,
    MAX_GOAL,
    MAX_NOTE,
    MAX_STEP,
    BreakGlass,
    Goal,
    GoalStatus,
    NoteKind,
    PhaseTransition,
    Plan,
    PlanNote,
    PlanVersion,
    StaffPhoto,
    Step,
    StepOwner,
)
from portal.programmes import registry
from portal.programmes.models import Enrolment
from portal.scheduling import operations as scheduling
from portal.scheduling.models import Appointment

BREAK_GLASS_HOURS = 12


class PlanError(ValueError):
    """A change the plan's rules refuse; the message is translated for the user."""


def _audit(actor: User, action: AuditAction, object_type: str, object_id, enrolment: Enrolment,
           fields: list[str] | None = None) -> None:
    record(actor, action, "plans", object_type, object_id, enrolment.client_id,
           {"fields": fields} if fields else None)


def _require_active(enrolment: Enrolment) -> None:
    if not permissions.is_active(enrolment):
        raise PlanError(_l("The service has ended: the plan can no longer be changed."))


def _require_worker(actor: User, enrolment: Enrolment) -> None:
    if not permissions.can_work(actor, enrolment):
        raise PermissionError("not a worker on this enrolment")


def _clean(text: str | None, limit: int, empty_message) -> str:
    text = (text or "").strip()
    if not text:
        raise PlanError(empty_message)
    if len(text) > limit:
        raise PlanError(_l("The text is too long: at most %(limit)s characters.", limit=limit))
    return text


def ensure_plan(enrolment: Enrolment) -> Plan:
    """The enrolment's plan, made on the first change (reading a plan never writes one)."""
    plan = db.session.scalar(select(Plan).where(Plan.enrolment_id == enrolment.id))
    if plan is None:
        definition = registry.definition(enrolment.programme_code)
        interval = definition.plan.review_interval_days if definition and definition.plan else None
        plan = Plan(enrolment=enrolment, review_interval_days=interval)
        db.session.add(plan)
        db.session.flush()
    return plan


def add_goal(actor: User, enrolment: Enrolment, text: str) -> Goal:
    """A client proposes a goal (the worker accepts it later); a worker writes it down as agreed."""
    _require_active(enrolment)
    if not (permissions.is_own(actor, enrolment) or permissions.can_work(actor, enrolment)):
        raise PermissionError("not this enrolment's client or worker")
    text = _clean(text, MAX_GOAL, _l("Write the goal in a few words."))
    status = GoalStatus.PROPOSED if actor.is_client else GoalStatus.AGREED
    goal = Goal(plan=ensure_plan(enrolment), text=text, status=status, proposed_by_id=actor.id)
    db.session.add(goal)
    db.session.flush()
    _audit(actor, AuditAction.CREATE, "goal", goal.id, enrolment)
    return goal


def accept_goal(actor: User, goal: Goal) -> None:
    set_goal_status(actor, goal, GoalStatus.AGREED)


def set_goal_status(actor: User, goal: Goal, status: GoalStatus) -> None:
    enrolment = goal.plan.enrolment
    _require_worker(actor, enrolment)
    _require_active(enrolment)
    if status is GoalStatus.PROPOSED:
        raise PlanError(_l("Choose another status."))
    goal.status = status
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "goal", goal.id, enrolment, ["status"])


def add_step(actor: User, goal: Goal, what: str, owner: StepOwner, due_on: date | None) -> Step:
    """A clear step towards a goal: what, who and by when (seed 002)."""
    enrolment = goal.plan.enrolment
    _require_worker(actor, enrolment)
    _require_active(enrolment)
    if goal.status is GoalStatus.PROPOSED:
        raise PlanError(_l("Accept the goal before adding steps to it."))
    step = Step(goal=goal, what=_clean(what, MAX_STEP, _l("Write what the step is.")), owner=owner, due_on=due_on)
    db.session.add(step)
    db.session.flush()
    _audit(actor, AuditAction.CREATE, "step", step.id, enrolment)
    return step


def mark_step_done(actor: User, step: Step) -> bool:
    """The client marks their own steps done; a worker any step. Marking twice changes nothing."""
    enrolment = step.goal.plan.enrolment
    _require_active(enrolment)
    own_step = permissions.is_own(actor, enrolment) and step.owner is StepOwner.CLIENT
    if not (own_step or permissions.can_work(actor, enrolment)):
        raise PlanError(_l("Only your own steps can be marked done here. Your worker marks the others."))
    if step.done:
        return False
    step.done, step.done_at, step.done_by_id = True, utcnow(), actor.id
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "step", step.id, enrolment, ["done"])
    return True


def add_note(actor: User, enrolment: Enrolment, body: str, goal: Goal | None = None) -> PlanNote:
    """The client's comment or the worker's progress note."""
    _require_active(enrolment)
    if goal is not None and goal.plan.enrolment_id != enrolment.id:
        raise PermissionError("goal of another plan")
    body = _clean(body, MAX_NOTE, _l("Write the note first."))
    kind = NoteKind.COMMENT if actor.is_client else NoteKind.PROGRESS
    note = PlanNote(plan_id=ensure_plan(enrolment).id, goal_id=goal.id if goal else None, kind=kind,
                    author_id=actor.id, body=body)
    db.session.add(note)
    db.session.flush()
    _audit(actor, AuditAction.CREATE, "note", note.id, enrolment)
    return note


def set_review(actor: User, enrolment: Enrolment, review_on: date | None, interval_days: int | None) -> Plan:
    _require_worker(actor, enrolment)
    _require_active(enrolment)
    plan = ensure_plan(enrolment)
    plan.review_on, plan.review_interval_days = review_on, interval_days
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "plan", plan.id, enrolment, ["review_on", "review_interval_days"])
    return plan


def set_estimate(actor: User, enrolment: Enrolment, months: int, contacts_per_month: int, services: str | None,
                 today: date) -> Plan:
    """PPT phase 1 (seed 003): the preliminary estimate, made with the client, of how long and how much service
    is needed; recorded in the programme's first phase, before the multidisciplinary assessment."""
    _require_worker(actor, enrolment)
    _require_active(enrolment)
    definition = registry.definition(enrolment.programme_code)
    if definition is None or definition.plan is None or not definition.plan.preliminary_estimate:
        raise PlanError(_l("This service has no preliminary estimate."))
    if enrolment.phase != definition.phases[0].code:
        raise PlanError(_l("The preliminary estimate is made in the first phase, with the client."))
    if not (1 <= months <= 60 and 1 <= contacts_per_month <= 60):
        raise PlanError(_l("Estimate 1 to 60 months and 1 to 60 contacts a month."))
    plan = ensure_plan(enrolment)
    plan.estimate_months, plan.estimate_contacts_per_month = months, contacts_per_month
    plan.estimate_services = (services or "").strip()[:2000] or None
    plan.estimated_on, plan.estimated_by_id = today, actor.id
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "plan", plan.id, enrolment,
           ["estimate_months", "estimate_contacts_per_month", "estimate_services"])
    return plan


def agree_version(actor: User, enrolment: Enrolment) -> PlanVersion:
    """Freeze the plan as agreed with the client: the next numbered version, kept unchanged."""
    _require_worker(actor, enrolment)
    _require_active(enrolment)
    plan = ensure_plan(enrolment)
    if not any(g.status is not GoalStatus.PROPOSED for g in plan.goals):
        raise PlanError(_l("The plan has no agreed goals yet."))
    number = (plan.latest_version.number if plan.latest_version else 0) + 1
    _next_review_after_agreeing(plan)
    version = PlanVersion(plan_id=plan.id, number=number, agreed_by_id=actor.id, review_on=plan.review_on,
                          snapshot=snapshot(plan))
    db.session.add(version)
    db.session.flush()
    db.session.refresh(plan, ["versions"])
    _audit(actor, AuditAction.CREATE, "plan_version", version.id, enrolment)
    return version


def _next_review_after_agreeing(plan: Plan) -> None:
    """Agreeing the plan is the review: the next one falls the plan's interval later (PPT: regularly)."""
    today = utcnow().date()
    if plan.review_interval_days and (plan.review_on is None or plan.review_on <= today):
        plan.review_on = today + timedelta(days=plan.review_interval_days)


def snapshot(plan: Plan) -> dict:
    """The agreed goals and their steps as plain data (proposals not yet accepted are left out)."""
    return {"review_on": plan.review_on.isoformat() if plan.review_on else None, "goals": [
        {"id": g.id, "text": g.text, "status": g.status.value, "steps": [
            {"id": s.id, "what": s.what, "owner": s.owner.value, "due_on": s.due_on.isoformat() if s.due_on else None,
             "done": s.done} for s in g.steps]}
        for g in plan.goals if g.status is not GoalStatus.PROPOSED]}


def write_continuation(actor: User, enrolment: Enrolment, next_steps: str, self_care: str, support: str) -> Plan:
    """The continuation plan (PPT phase 4); also allowed in the access period after the service ended."""
    _require_worker(actor, enrolment)
    texts = [(t or "").strip() for t in (next_steps, self_care, support)]
    if not any(texts):
        raise PlanError(_l("Write at least one part of the continuation plan."))
    if any(len(t) > MAX_CONTINUATION for t in texts):
        raise PlanError(_l("The text is too long: at most %(limit)s characters.", limit=MAX_CONTINUATION))
    plan = ensure_plan(enrolment)
    plan.next_steps, plan.self_care, plan.support = (t or None for t in texts)
    plan.continuation_at = utcnow()
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "plan", plan.id, enrolment, ["continuation"])
    return plan


def move_to_next_phase(actor: User, enrolment: Enrolment, expected_from: str) -> PhaseTransition:
    """Move the enrolment to its programme's next phase; ``expected_from`` guards against a double submit."""
    _require_worker(actor, enrolment)
    _require_active(enrolment)
    phases = [p.code for p in registry.definition(enrolment.programme_code).phases]
    if enrolment.phase != expected_from or enrolment.phase not in phases:
        raise PlanError(_l("The phase was already changed. Check the current phase and try again."))
    index = phases.index(enrolment.phase)
    if index + 1 >= len(phases):
        raise PlanError(_l("This is the programme's last phase."))
    # The enrolment's phase column is the programmes feature's; this is the one operation that moves it,
    # and the transition row is the audited record of who moved it and when.
    transition = PhaseTransition(enrolment_id=enrolment.id, from_phase=enrolment.phase, to_phase=phases[index + 1],
                                 by_id=actor.id)
    enrolment.phase = phases[index + 1]
    db.session.add(transition)
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "enrolment", enrolment.id, enrolment, ["phase"])
    return transition


def book_review(actor: User, enrolment: Enrolment, starts_at: datetime, modality, now: datetime | None = None
                ) -> Appointment:
    """Book the plan review through scheduling, with the programme's review contact type; sets the review date."""
    _require_worker(actor, enrolment)
    definition = registry.definition(enrolment.programme_code)
    if definition is None or definition.plan is None:
        raise PlanError(_l("This programme does not book plan reviews."))
    contact_type = definition.contact_type(definition.plan.review_contact_type)
    request = scheduling.BookingRequest(enrolment=enrolment, contact_type=contact_type.code, modality=modality,
                                        starts_at=starts_at, minutes=contact_type.default_minutes)
    appointment, _warnings = scheduling.book(actor, request, now)
    plan = ensure_plan(enrolment)
    plan.review_on = starts_at.date()
    db.session.flush()
    _audit(actor, AuditAction.UPDATE, "plan", plan.id, enrolment, ["review_on"])
    return appointment


def break_glass(actor: User, enrolment: Enrolment, reason: str) -> BreakGlass:
    """Urgent access to a client outside one's team, for a few hours, with the reason in the audit trail."""
    if not actor.has_role(*permissions.CASEWORK_ROLES):
        raise PermissionError("case workers only")
    reason = _clean(reason, 500, _l("Write why you need urgent access."))
    now = utcnow()
    grant = BreakGlass(user_id=actor.id, enrolment_id=enrolment.id, reason=reason, at=now,
                       expires_at=now + timedelta(hours=BREAK_GLASS_HOURS))
    db.session.add(grant)
    db.session.flush()
    # The reason stays in the grant row; the audit trail says that break-glass was used, never the text.
    record(actor, AuditAction.READ, "plans", "break_glass", grant.id, enrolment.client_id, {"note": "break_glass"})
    return grant


def set_photo(actor: User, data: bytes) -> StaffPhoto:
    """A staff member's own photo for the care-team card (replaces the earlier one)."""
    if not actor.is_staff:
        raise PermissionError("staff only")
    try:
        photo = photos.process(data)
    except photos.PhotoError as exc:
        raise PlanError(str(exc)) from exc
    row = db.session.get(StaffPhoto, actor.id) or StaffPhoto(user_id=actor.id)
    row.data, row.size, row.width, row.height, row.updated_at = (
        photo.data, len(photo.data), photo.width, photo.height, utcnow())
    db.session.add(row)
    db.session.flush()
    record(actor, AuditAction.UPDATE, "plans", "staff_photo", actor.id)
    return row


def remove_photo(actor: User) -> bool:
    row = db.session.get(StaffPhoto, actor.id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    record(actor, AuditAction.DELETE, "plans", "staff_photo", actor.id)
    return True
