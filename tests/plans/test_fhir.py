"""CarePlan (with contained Goals) and CareTeam on /fhir/r4/: they parse with the R4B models, carry what
the plan says, and follow the plan's access rule with every read audited."""

from __future__ import annotations

from datetime import date

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.careteam import CareTeam
from sqlalchemy import select

from portal.audit.models import AuditRecord
from portal.auth.models import Role
from portal.plans import operations
from portal.plans.models import GoalStatus, StepOwner
from tests.support.validators import fhir_schema  # noqa: F401 (every body against HL7's R4 JSON schema)

pytestmark = pytest.mark.usefixtures("fhir_schema")


@pytest.fixture
def people(db, create_staff, create_client, create_enrolment):
    coordinator = create_staff(Role.CARE_COORDINATOR, name="Sanna Virtanen")
    deputy = create_staff(Role.WORKER, name="Pekka Nieminen")
    nurse = create_staff(Role.WORKER, name="Liisa Hoitaja")
    me = create_client()
    enrolment = create_enrolment(me, coordinator=coordinator, deputy=deputy, team=(nurse,), programme="many-services")
    proposed = operations.add_goal(me.user, enrolment, "Haluan oman asunnon")
    agreed = operations.add_goal(coordinator, enrolment, "Nukun paremmin")
    operations.add_step(coordinator, agreed, "Iltarutiini", StepOwner.CLIENT, date(2026, 12, 1))
    operations.add_step(coordinator, agreed, "Lääkärin aika", StepOwner.WORKER, None)
    operations.mark_step_done(me.user, agreed.steps[0])
    operations.write_continuation(coordinator, enrolment, "Terveysasema jatkaa", "", "Kriisipuhelin")
    db.session.commit()
    return {"coordinator": coordinator, "me": me, "enrolment": enrolment, "proposed": proposed, "agreed": agreed,
            "nurse": nurse}


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/fhir+json"
    return response.get_data(as_text=True)


def test_care_plan_with_goals_and_steps(client, login, people):
    login(people["me"].user)
    plan_id = people["agreed"].plan_id
    plan = CarePlan.model_validate_json(_get(client, f"/fhir/r4/CarePlan/{plan_id}"))
    assert plan.status == "active" and plan.intent == "plan" and plan.subject.reference == f"Patient/{people['me'].id}"
    goals = {g.description.text: g for g in plan.contained}
    assert goals["Haluan oman asunnon"].lifecycleStatus == "proposed"
    assert goals["Haluan oman asunnon"].expressedBy.reference == f"Patient/{people['me'].id}"
    assert goals["Nukun paremmin"].lifecycleStatus == "active"
    assert [g.reference for g in plan.goal] == [f"#goal-{people['proposed'].id}", f"#goal-{people['agreed'].id}"]
    first, second = plan.activity
    assert first.detail.description == "Iltarutiini" and first.detail.status == "completed"
    assert str(first.detail.scheduledPeriod.end) == "2026-12-01"
    assert first.detail.performer[0].reference == f"Patient/{people['me'].id}"
    assert second.detail.status == "not-started"
    assert second.detail.performer[0].reference == f"Practitioner/{people['coordinator'].id}"
    assert [n.text for n in plan.note] == ["Terveysasema jatkaa", "Kriisipuhelin"]
    assert plan.careTeam[0].reference == f"CareTeam/{people['enrolment'].id}"


def test_achieved_goals_and_ended_services(db, client, login, people):
    from portal.programmes.models import EnrolmentStatus

    operations.set_goal_status(people["coordinator"], people["agreed"], GoalStatus.ACHIEVED)
    enrolment = people["enrolment"]
    enrolment.status, enrolment.ended_on = EnrolmentStatus.ENDED, date.today()
    db.session.commit()
    login(people["coordinator"])
    plan = CarePlan.model_validate_json(_get(client, f"/fhir/r4/CarePlan/{people['agreed'].plan_id}"))
    goal = next(g for g in plan.contained if g.id == f"goal-{people['agreed'].id}")
    assert plan.status == "completed" and goal.lifecycleStatus == "completed"
    assert goal.achievementStatus.coding[0].code == "achieved"
    team = CareTeam.model_validate_json(_get(client, f"/fhir/r4/CareTeam/{enrolment.id}"))
    assert team.status == "inactive" and str(team.period.end) == date.today().isoformat()


def test_progress_notes_are_served_with_author_and_time(db, client, login, people):
    """A worker's progress note on the plan is a CarePlan note, one on a goal that Goal's note; the client's
    own comments stay out (conversation, not a record of progress)."""
    enrolment, coordinator = people["enrolment"], people["coordinator"]
    on_plan = operations.add_note(coordinator, enrolment, "Tavattiin kotona, uni parantunut")
    on_goal = operations.add_note(coordinator, enrolment, "Iltarutiini toimii viikolla", people["agreed"])
    operations.add_note(people["me"].user, enrolment, "Minun kommenttini")
    db.session.commit()
    login(people["me"].user)
    body = _get(client, f"/fhir/r4/CarePlan/{people['agreed'].plan_id}")
    plan = CarePlan.model_validate_json(body)
    assert [n.text for n in plan.note] == ["Terveysasema jatkaa", "Kriisipuhelin", "Tavattiin kotona, uni parantunut"]
    progress = plan.note[-1]
    assert progress.authorReference.reference == f"Practitioner/{coordinator.id}"
    assert progress.time is not None and progress.time.replace(tzinfo=None) == on_plan.created_at.replace(tzinfo=None)
    goal = next(g for g in plan.contained if g.id == f"goal-{people['agreed'].id}")
    assert [n.text for n in goal.note] == [on_goal.body]
    assert goal.note[0].authorReference.display == "Sanna Virtanen"
    assert not next(g for g in plan.contained if g.id == f"goal-{people['proposed'].id}").note
    assert "Minun kommenttini" not in body


def test_care_team(client, login, people):
    login(people["nurse"])
    team = CareTeam.model_validate_json(_get(client, f"/fhir/r4/CareTeam/{people['enrolment'].id}"))
    roles = {p.member.display: (p.role[0].coding[0].code, p.role[0].text) for p in team.participant}
    assert roles == {"Sanna Virtanen": ("coordinator", "Care coordinator"), "Pekka Nieminen": ("deputy", "Deputy"),
                     "Liisa Hoitaja": ("own-team", "sairaanhoitaja")}
    assert team.subject.reference == f"Patient/{people['me'].id}" and team.status == "active"


def test_search_by_subject(client, login, people):
    login(people["me"].user)
    me = people["me"].id
    plans = Bundle.model_validate_json(_get(client, f"/fhir/r4/CarePlan?subject=Patient/{me}"))
    teams = Bundle.model_validate_json(_get(client, f"/fhir/r4/CareTeam?patient={me}"))
    assert plans.total == 1 and plans.entry[0].resource.get_resource_type() == "CarePlan"
    assert teams.total == 1 and teams.entry[0].resource.get_resource_type() == "CareTeam"
    completed = _get(client, f"/fhir/r4/CarePlan?subject=Patient/{me}&status=completed")
    assert Bundle.model_validate_json(completed).total == 0
    _get(client, f"/fhir/r4/CarePlan?subject=Patient/{me}&_sort=date", 400)
    _get(client, "/fhir/r4/CarePlan", 400)


def test_access_and_audit(db, client, login, create_client, create_staff, people):
    plan_id, team_id, me = people["agreed"].plan_id, people["enrolment"].id, people["me"].id
    _get(client, f"/fhir/r4/CarePlan/{plan_id}", 401)
    other = create_client()
    login(other.user)
    for url in (f"/fhir/r4/CarePlan/{plan_id}", f"/fhir/r4/CareTeam/{team_id}", f"/fhir/r4/CarePlan?subject={me}",
                f"/fhir/r4/CareTeam?subject=Patient/{me}"):
        _get(client, url, 403)
    _get(client, "/fhir/r4/CarePlan/999999", 404)
    _get(client, "/fhir/r4/CarePlan/abc", 404)
    client.post("/logout")
    outsider = create_staff(Role.WORKER, in_unit=None)
    login(outsider)
    _get(client, f"/fhir/r4/CarePlan/{plan_id}", 403)
    assert db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "interop")).all() == []
    client.post("/logout")
    login(people["coordinator"])
    _get(client, f"/fhir/r4/CarePlan/{plan_id}")
    _get(client, f"/fhir/r4/CareTeam?subject=Patient/{me}")
    reads = db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "interop")).all()
    assert [(r.object_type, r.client_id, r.actor_id) for r in reads] == [
        ("CarePlan", me, people["coordinator"].id), ("CareTeam", me, people["coordinator"].id)]
