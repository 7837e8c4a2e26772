"""FHIR R4 CarePlan (with its Goals contained) and CareTeam, from the plans feature.

- ``CarePlan/<id>`` (the plan's id): ``status`` active while the service runs, ``completed`` after;
  ``intent`` plan; the programme as ``category``; ``period`` the service's dates; the goals, in the
  client's own words, as contained ``Goal`` resources (proposed → proposed, agreed → active, achieved →
  completed/achieved, set aside → cancelled), ``expressedBy`` whoever wrote the goal down; each step as
  an ``activity`` (not-started or completed, ``scheduledPeriod.end`` its due date, its goal, and who
  takes it: the client, the coordinator, or a role in words for a team member or relative); the
  continuation plan as ``note`` (text only), followed by the workers' progress notes on the whole plan
  (``note`` with author and time); a progress note on one goal is that Goal's ``note``. The client's own
  comments are not served: they are the client's conversation with the worker, not a record of progress.
- ``CareTeam/<id>`` (the enrolment's id): coordinator, deputy and own team as Practitioner participants
  with their role in words; active while the service runs.
- Search: ``CarePlan?subject=Patient/<id>`` (or ``patient=``, or ``Patient/<id>/CarePlan``) and ``status``;
  the same for ``CareTeam``. Paging as in search.py; the version is a digest of the content.

Access is the plan's rule (``plans.permissions``: the client, their workers, break-glass); every
resource served is an audited read.
"""

from __future__ import annotations

from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.careteam import CareTeam
from flask import abort, url_for
from sqlalchemy import select

from portal.extensions import db
from portal.interop import bp, fhir
from portal.interop.permissions import Reader, current_reader
from portal.interop.routes import bundle_response, get_row, read_response
from portal.interop.search import NotSupported, Search, reference_id
from portal.people.models import Client
from portal.plans.models import GoalStatus, NoteKind, Plan, StepOwner
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.web.templating import programme_name

GOAL_STATUS = {GoalStatus.PROPOSED: "proposed", GoalStatus.AGREED: "active", GoalStatus.ACHIEVED: "completed",
               GoalStatus.DROPPED: "cancelled"}
CARE_PLAN_SEARCH = {"subject": "reference", "patient": "reference", "status": "token"}
CARE_TEAM_SEARCH = {"subject": "reference", "patient": "reference", "status": "token"}
ROLE_SYSTEM = "participant-role"  # Silta's own code system: coordinator, deputy, own-team


@bp.route("/CarePlan/<resource_id>")
def care_plan(resource_id: str):
    reader = _reader()
    plan = get_row(Plan, resource_id)
    _may_read(reader, plan.enrolment)
    reader.audit("CarePlan", plan.id, plan.enrolment.client_id)
    return read_response(care_plan_resource(plan))


@bp.route("/CareTeam/<resource_id>")
def care_team(resource_id: str):
    reader = _reader()
    enrolment = get_row(Enrolment, resource_id)
    _may_read(reader, enrolment)
    reader.audit("CareTeam", enrolment.id, enrolment.client_id)
    return read_response(care_team_resource(enrolment))


@bp.route("/CarePlan")
def care_plan_search():
    return care_plans_of(None)


@bp.route("/CareTeam")
def care_team_search():
    return care_teams_of(None)


def care_plans_of(patient_id: str | None):
    """The CarePlan search, in a patient's compartment when ``patient_id`` is given."""
    reader, search = _reader(), Search(CARE_PLAN_SEARCH)
    statuses = search.tokens("status")
    plans = [plan for e in _searched_enrolments(reader, search, patient_id)
             if (plan := db.session.scalar(select(Plan).where(Plan.enrolment_id == e.id))) is not None
             and (statuses is None or _plan_status(e) in statuses)]
    entries = []
    for plan in search.page(plans):
        reader.audit("CarePlan", plan.id, plan.enrolment.client_id)
        entries.append((url_for("interop.care_plan", resource_id=plan.id, _external=True), care_plan_resource(plan)))
    return bundle_response(search.bundle(len(plans), entries))


def care_teams_of(patient_id: str | None):
    """The CareTeam search, in a patient's compartment when ``patient_id`` is given."""
    reader, search = _reader(), Search(CARE_TEAM_SEARCH)
    statuses = search.tokens("status")
    enrolments = [e for e in _searched_enrolments(reader, search, patient_id)
                  if statuses is None or _team_status(e) in statuses]
    entries = []
    for enrolment in search.page(enrolments):
        reader.audit("CareTeam", enrolment.id, enrolment.client_id)
        entries.append((url_for("interop.care_team", resource_id=enrolment.id, _external=True),
                        care_team_resource(enrolment)))
    return bundle_response(search.bundle(len(enrolments), entries))


def _reader() -> Reader:
    """Signed in (else 401), and a client or case worker (else 403, before any id is looked up)."""
    reader = current_reader()
    if not reader.is_client_or_caseworker():
        abort(403)
    return reader


def _may_read(reader: Reader, enrolment: Enrolment) -> None:
    if not reader.may_read_enrolment(enrolment):
        abort(403)


def _searched_enrolments(reader: Reader, search: Search, patient_id: str | None) -> list[Enrolment]:
    """The searched patient's enrolments the reader may read, oldest first; 403 when there is none to read."""
    given = reference_id(search.one("subject", "patient"), "Patient")
    if (given is None) == (patient_id is None):
        raise NotSupported("Search by exactly one patient: subject=Patient/<id> (or patient=Patient/<id>).")
    client = get_row(Client, patient_id or given)
    enrolments = list(db.session.scalars(select(Enrolment).where(Enrolment.client_id == client.id)
                                         .order_by(Enrolment.id)))
    readable = [e for e in enrolments if reader.may_read_enrolment(e)]
    if not readable:
        abort(403)
    return readable


def _plan_status(enrolment: Enrolment) -> str:
    return "active" if enrolment.status is EnrolmentStatus.ACTIVE else "completed"


def _team_status(enrolment: Enrolment) -> str:
    return "active" if enrolment.status is EnrolmentStatus.ACTIVE else "inactive"


def _period(enrolment: Enrolment) -> dict:
    period = {"start": enrolment.start_on.isoformat()}
    if enrolment.ended_on:
        period["end"] = enrolment.ended_on.isoformat()
    return period


def _patient(enrolment: Enrolment) -> dict:
    return {"reference": f"Patient/{enrolment.client_id}"}


def _practitioner(user) -> dict:
    return {"reference": f"Practitioner/{user.id}", "display": user.display_name}


def care_plan_resource(plan: Plan) -> CarePlan:
    enrolment = plan.enrolment
    progress = [n for n in plan.notes if n.kind is NoteKind.PROGRESS]
    goals = [_goal(goal, enrolment, [n for n in progress if n.goal_id == goal.id]) for goal in plan.goals]
    activities = [_activity(step, goal, enrolment) for goal in plan.goals for step in goal.steps]
    resource = {
        "id": str(plan.id), "status": _plan_status(enrolment),
        "intent": "plan", "title": programme_name(enrolment.programme_code), "subject": _patient(enrolment),
        "category": [fhir._concept({"system": fhir.system("programme"), "code": enrolment.programme_code,
                                    "display": programme_name(enrolment.programme_code)})],
        "period": _period(enrolment), "created": plan.created_at.isoformat(),
        "careTeam": [{"reference": f"CareTeam/{enrolment.id}"}],
        "contained": goals, "goal": [{"reference": f"#goal-{g.id}"} for g in plan.goals],
    }
    if activities:
        resource["activity"] = activities
    notes = [{"text": text} for text in (plan.next_steps, plan.self_care, plan.support) if text]
    notes += [_annotation(n) for n in progress if n.goal_id is None]
    if notes:
        resource["note"] = notes
    return CarePlan(**resource)


def _annotation(note) -> dict:
    return {"text": note.body, "time": note.created_at.isoformat(), "authorReference": _practitioner(note.author)}


def _goal(goal, enrolment: Enrolment, progress: list) -> dict:
    expressed = (_patient(enrolment) if goal.proposed_by_id == enrolment.client.user_id
                 else {"reference": f"Practitioner/{goal.proposed_by_id}"})
    resource = {"resourceType": "Goal", "id": f"goal-{goal.id}", "lifecycleStatus": GOAL_STATUS[goal.status],
                "description": {"text": goal.text}, "subject": _patient(enrolment), "expressedBy": expressed}
    if goal.status is GoalStatus.ACHIEVED:
        resource["achievementStatus"] = {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/goal-achievement", "code": "achieved"}]}
    if progress:
        resource["note"] = [_annotation(n) for n in progress]
    return resource


def _activity(step, goal, enrolment: Enrolment) -> dict:
    detail = {"status": "completed" if step.done else "not-started", "description": step.what,
              "goal": [{"reference": f"#goal-{goal.id}"}], "performer": [_performer(step.owner, enrolment)]}
    if step.due_on:
        detail["scheduledPeriod"] = {"end": step.due_on.isoformat()}
    return {"detail": detail}


def _performer(owner: StepOwner, enrolment: Enrolment) -> dict:
    if owner is StepOwner.CLIENT:
        return _patient(enrolment)
    if owner is StepOwner.WORKER and enrolment.coordinator is not None:
        return _practitioner(enrolment.coordinator)
    return {"display": owner.value.replace("_", " ")}


def care_team_resource(enrolment: Enrolment) -> CareTeam:
    people = [(enrolment.coordinator, "coordinator", "Care coordinator"), (enrolment.deputy, "deputy", "Deputy")]
    participants = [_member(user, code, text) for user, code, text in people if user is not None]
    participants += [_member(m.user, "own-team", _team_role_text(enrolment, m.team_role)) for m in enrolment.team]
    return CareTeam(
        id=str(enrolment.id), status=_team_status(enrolment),
        name=programme_name(enrolment.programme_code), subject=_patient(enrolment), period=_period(enrolment),
        participant=participants or None,
    )


def _team_role_text(enrolment: Enrolment, role: str) -> str:
    """The role's English name from the programme's list; older free-text roles as written."""
    definition = registry.definition(enrolment.programme_code)
    item = definition.team_role(role) if definition else None
    return item.name.en if item else role


def _member(user, code: str, text: str) -> dict:
    return {"member": _practitioner(user),
            "role": [{"coding": [{"system": fhir.system(ROLE_SYSTEM), "code": code}], "text": text}]}
