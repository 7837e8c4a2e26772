"""Plans: goals in the client's words, steps, notes, versions, review, continuation, phases; access and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.plans import operations, queries
from portal.plans.models import Goal, GoalStatus, PhaseTransition, Plan, PlanVersion, Step, StepOwner
from portal.programmes.models import EnrolmentStatus
from portal.scheduling.models import Appointment


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.CARE_COORDINATOR, name="Sanna Virtanen", locale="en")


@pytest.fixture
def me(create_client):
    client = create_client()
    client.user.locale = "en"
    return client


@pytest.fixture
def enrolment(create_enrolment, me, worker):
    return create_enrolment(me, coordinator=worker, programme="many-services")


def _goal(db, enrolment, worker, text="Haluan nukkua paremmin", steps=()):
    goal = operations.add_goal(worker, enrolment, text)
    for what, owner in steps:
        operations.add_step(worker, goal, what, owner, date(2026, 12, 1))
    db.session.commit()
    return goal


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


# --- operations -------------------------------------------------------------------------------------

def test_a_client_proposes_and_the_worker_accepts(db, me, worker, enrolment):
    goal = operations.add_goal(me.user, enrolment, "  I want to go to the gym  ")
    assert goal.status is GoalStatus.PROPOSED and goal.text == "I want to go to the gym"
    with pytest.raises(operations.PlanError):
        operations.add_step(worker, goal, "Find a gym", StepOwner.CLIENT, None)
    operations.accept_goal(worker, goal)
    assert goal.status is GoalStatus.AGREED
    with pytest.raises(PermissionError):
        operations.accept_goal(me.user, goal)


def test_the_client_marks_only_their_own_steps_done(db, me, worker, enrolment):
    goal = _goal(db, enrolment, worker, steps=[("Walk daily", StepOwner.CLIENT), ("Call the clinic", StepOwner.WORKER)])
    mine, theirs = goal.steps
    assert operations.mark_step_done(me.user, mine) is True
    assert operations.mark_step_done(me.user, mine) is False  # idempotent
    assert mine.done and mine.done_by_id == me.user.id and mine.done_at is not None
    with pytest.raises(operations.PlanError):
        operations.mark_step_done(me.user, theirs)
    assert not theirs.done


def test_versions_freeze_what_was_agreed_and_compare(db, worker, enrolment):
    goal = _goal(db, enrolment, worker, steps=[("Walk daily", StepOwner.CLIENT)])
    operations.add_goal(enrolment.client.user, enrolment, "Not yet accepted")
    first = operations.agree_version(worker, enrolment)
    assert first.number == 1 and [g["text"] for g in first.snapshot["goals"]] == [goal.text]
    operations.mark_step_done(worker, goal.steps[0])
    new_goal = operations.add_goal(worker, enrolment, "Find work")
    second = operations.agree_version(worker, enrolment)
    assert second.number == 2
    assert first.snapshot["goals"][0]["steps"][0]["done"] is False  # the old version did not change
    changes = {c.text: c for c in queries.compare(first, second)}
    assert changes[new_goal.text].kind == "added"
    assert changes[goal.text].kind == "changed" and changes[goal.text].step_changes[0][1]["done"] is True


def test_nothing_to_agree_without_goals(db, worker, enrolment):
    with pytest.raises(operations.PlanError):
        operations.agree_version(worker, enrolment)
    assert db.session.scalar(select(PlanVersion)) is None


def test_phases_move_one_at_a_time_and_are_recorded(db, worker, enrolment):
    assert enrolment.phase == "referral"
    for expected in ("assessment-planning", "service-delivery", "continuation"):
        transition = operations.move_to_next_phase(worker, enrolment, enrolment.phase)
        assert transition.to_phase == expected and transition.by_id == worker.id and transition.at is not None
    with pytest.raises(operations.PlanError):
        operations.move_to_next_phase(worker, enrolment, "continuation")
    with pytest.raises(operations.PlanError):  # a stale form (double submit) moves nothing
        operations.move_to_next_phase(worker, enrolment, "referral")
    assert [t.to_phase for t in queries.transitions(enrolment)] == [
        "assessment-planning", "service-delivery", "continuation"]
    audits = db.session.scalars(select(AuditRecord).where(AuditRecord.object_type == "enrolment")).all()
    assert len(audits) == 3 and all(a.detail == {"fields": ["phase"]} for a in audits)


def test_the_review_is_booked_through_scheduling(db, worker, enrolment):
    from portal.db import utcnow
    from portal.programmes.definitions_schema import Modality
    from portal.scheduling.timeutil import local

    day = date.today() + timedelta(days=14)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    from datetime import time

    appointment = operations.book_review(worker, enrolment, local(day, time(10)), Modality.RECEPTION, utcnow())
    assert appointment.contact_type == "plan-review" and appointment.ends_at - appointment.starts_at == timedelta(
        minutes=60)
    assert queries.plan_of(enrolment).review_on == day
    assert queries.plan_of(enrolment).review_interval_days == 90  # from the programme definition


def test_review_booking_needs_a_programme_that_has_reviews(db, create_enrolment, create_client, worker):
    from portal.db import utcnow
    from portal.programmes.definitions_schema import Modality

    other = create_enrolment(create_client(), coordinator=worker, programme="remote-guidance")
    with pytest.raises(operations.PlanError):
        operations.book_review(worker, other, utcnow() + timedelta(days=3), Modality.VIDEO)


def test_an_ended_service_keeps_its_plan_readable_but_frozen(db, me, worker, enrolment):
    goal = _goal(db, enrolment, worker)
    operations.write_continuation(worker, enrolment, "Käy kerran kuussa", "", "Kriisipuhelin")
    enrolment.status, enrolment.ended_on = EnrolmentStatus.ENDED, date.today()
    db.session.flush()
    with pytest.raises(operations.PlanError):
        operations.add_goal(me.user, enrolment, "Another")
    with pytest.raises(operations.PlanError):
        operations.add_note(me.user, enrolment, "Hello")
    # The continuation plan can still be finished in the access period after the end.
    operations.write_continuation(worker, enrolment, "Käy kerran kuussa", "Liiku", "Kriisipuhelin")
    assert queries.plan_of(enrolment).self_care == "Liiku" and goal.status is GoalStatus.AGREED


def test_bad_text_is_refused(db, me, enrolment):
    with pytest.raises(operations.PlanError):
        operations.add_goal(me.user, enrolment, "   ")
    with pytest.raises(operations.PlanError):
        operations.add_goal(me.user, enrolment, "x" * 501)
    assert db.session.scalar(select(Goal)) is None


# --- pages ----------------------------------------------------------------------------------------

def test_the_client_sees_their_plan_and_marks_a_step_done(db, client, login, me, worker, enrolment):
    goal = _goal(db, enrolment, worker, text="Haluan <b>nukkua</b>", steps=[("Walk daily", StepOwner.CLIENT)])
    login(me.user)
    body = _page(client, f"/plans/{enrolment.id}")
    assert "Haluan &lt;b&gt;nukkua&lt;/b&gt;" in body and "<b>nukkua" not in body
    assert "Mark done: Walk daily" in body and "Move to the next phase" not in body
    assert "Your people" in body and "Sanna Virtanen" in body  # who to turn to, on the plan too
    step = goal.steps[0]
    response = client.post(f"/plans/steps/{step.id}/done")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Step, step.id).done


def test_the_client_proposes_a_goal_and_a_bad_one_keeps_the_input(db, client, login, me, enrolment):
    login(me.user)
    response = client.post(f"/plans/{enrolment.id}/goals", data={"goal-text": "x" * 600})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "x" * 600 in body and "Please check these fields" in body
    response = client.post(f"/plans/{enrolment.id}/goals", data={"goal-text": "Oma asunto"})
    assert response.status_code == 302
    goal = db.session.scalar(select(Goal))
    assert goal.text == "Oma asunto" and goal.status is GoalStatus.PROPOSED


def test_the_worker_accepts_adds_a_step_and_agrees(db, client, login, me, worker, enrolment):
    goal = operations.add_goal(me.user, enrolment, "Oma asunto")
    db.session.commit()
    login(worker)
    assert client.post(f"/plans/goals/{goal.id}/status", data={"status": "agreed"}).status_code == 302
    response = client.post(f"/plans/goals/{goal.id}/steps", data={"step-what": "", "step-owner": "client"})
    assert response.status_code == 400 and "Write what the step is." in response.get_data(as_text=True)
    response = client.post(f"/plans/goals/{goal.id}/steps",
                           data={"step-what": "Hae asuntoa", "step-owner": "client", "step-due_on": "2026-12-01"})
    assert response.status_code == 302
    assert client.post(f"/plans/{enrolment.id}/agree").status_code == 302
    db.session.expire_all()
    version = db.session.scalar(select(PlanVersion))
    assert version.number == 1 and version.snapshot["goals"][0]["steps"][0]["due_on"] == "2026-12-01"
    assert "Version 1 compared with version 1" in _page(client, f"/plans/{enrolment.id}/versions")


def test_the_worker_moves_the_phase_on_the_page(db, client, login, worker, enrolment):
    login(worker)
    assert client.post(f"/plans/{enrolment.id}/phase", data={"current": "referral"}).status_code == 302
    assert client.post(f"/plans/{enrolment.id}/phase", data={"current": "referral"}).status_code == 302
    assert len(db.session.scalars(select(PhaseTransition)).all()) == 1
    body = _page(client, f"/plans/{enrolment.id}")
    assert 'aria-current="step"' in body and "Sanna Virtanen" in body


def test_the_continuation_plan_is_shown_to_the_client_after_the_end(db, client, login, me, worker, enrolment):
    login(worker)
    response = client.post(f"/plans/{enrolment.id}/continuation", data={"next_steps": "", "self_care": "",
                                                                        "support": ""})
    assert response.status_code == 400
    response = client.post(f"/plans/{enrolment.id}/continuation",
                           data={"next_steps": "Terveysasema jatkaa", "self_care": "Liiku", "support": "Kriisipuhelin"})
    assert response.status_code == 302
    enrolment.status, enrolment.ended_on = EnrolmentStatus.ENDED, date.today()
    db.session.commit()
    client.post("/logout")
    login(me.user)
    body = _page(client, f"/plans/{enrolment.id}")
    assert "Terveysasema jatkaa" in body and "The service has ended" in body and "Propose the goal" not in body
    assert f"/plans/{enrolment.id}" in _page(client, "/me/plans")


def test_the_printable_plan_is_in_the_clients_language(db, client, login, me, worker, enrolment):
    _goal(db, enrolment, worker, steps=[("Kävele", StepOwner.CLIENT)])
    me.user.locale = "sv"
    db.session.commit()
    login(worker)  # the worker uses Finnish; the paper is for the client
    body = _page(client, f"/plans/{enrolment.id}/print")
    assert '<html lang="sv">' in body and "Kävele" in body and "plans.css" in body and "Vårdansvarig" in body


def test_every_read_is_audited(db, client, login, me, enrolment):
    login(me.user)
    _page(client, f"/plans/{enrolment.id}")
    _page(client, f"/plans/{enrolment.id}/print")
    reads = db.session.scalars(select(AuditRecord).where(AuditRecord.feature == "plans",
                                                         AuditRecord.action == AuditAction.READ)).all()
    assert len(reads) == 2 and all(r.client_id == me.id and r.actor_id == me.user.id for r in reads)


def test_another_client_and_an_outside_worker_are_refused(db, client, login, create_client, create_staff, worker,
                                                          enrolment):
    goal = _goal(db, enrolment, worker, steps=[("Walk", StepOwner.CLIENT)])
    other = create_client()
    login(other.user)
    assert client.get(f"/plans/{enrolment.id}").status_code == 403
    assert client.get(f"/plans/{enrolment.id}/print").status_code == 403
    assert client.post(f"/plans/{enrolment.id}/goals", data={"goal-text": "Forged"}).status_code == 403
    assert client.post(f"/plans/steps/{goal.steps[0].id}/done").status_code == 403
    assert client.get("/plans/999999").status_code == 404
    client.post("/logout")
    outsider = create_staff(Role.WORKER, in_unit=None, locale="en")
    login(outsider)
    response = client.get(f"/plans/{enrolment.id}")
    assert response.status_code == 403 and "Open urgent access" in response.get_data(as_text=True)
    assert client.post(f"/plans/goals/{goal.id}/status", data={"status": "dropped"}).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(Goal)).status is GoalStatus.AGREED
    assert db.session.scalar(select(Step)).done is False


def test_break_glass_needs_a_reason_and_is_audited(db, client, login, create_staff, enrolment):
    outsider = create_staff(Role.WORKER, in_unit=None)
    login(outsider)
    assert client.post(f"/plans/{enrolment.id}/break-glass", data={"reason": " "}).status_code == 400
    assert client.get(f"/plans/{enrolment.id}").status_code == 403
    response = client.post(f"/plans/{enrolment.id}/break-glass", data={"reason": "Asiakas soitti kriisissä"})
    assert response.status_code == 302
    assert client.get(f"/plans/{enrolment.id}").status_code == 200
    entries = db.session.scalars(select(AuditRecord).where(AuditRecord.actor_id == outsider.id,
                                                           AuditRecord.feature == "plans")).all()
    assert {e.object_type for e in entries} == {"break_glass", "plan"}
    assert all("kriisissä" not in str(e.detail) for e in entries)


def test_plan_is_never_made_by_reading(db, client, login, me, enrolment):
    login(me.user)
    _page(client, f"/plans/{enrolment.id}")
    assert db.session.scalar(select(Plan)) is None
    assert db.session.scalar(select(Appointment)) is None


def test_the_print_stylesheet_hides_the_page_furniture(client):
    response = client.get("/plans/static/plans.css")
    assert response.status_code == 200 and "@media print" in response.get_data(as_text=True)


# --- the care team --------------------------------------------------------------------------------

def test_the_client_sees_their_people_and_the_deputy_during_an_absence(db, client, login, create_client,
                                                                       create_enrolment, create_staff):
    from datetime import UTC, datetime

    from portal.scheduling.models import Absence

    coordinator = create_staff(Role.CARE_COORDINATOR, name="Sanna Virtanen")
    deputy = create_staff(Role.WORKER, name="Pekka Nieminen")
    nurse = create_staff(Role.WORKER, name="Liisa Hoitaja")
    me = create_client()
    me.user.locale = "en"
    enrolment = create_enrolment(me, coordinator=coordinator, deputy=deputy, team=(nurse,), programme="many-services")
    other = create_enrolment(create_client(), coordinator=create_staff(Role.WORKER, name="Someone Else"))
    db.session.commit()
    team = queries.care_team(enrolment)
    assert team.contact_person == coordinator and not team.coordinator_away
    assert team.hours  # the default working week when none is saved
    login(me.user)
    body = _page(client, "/me")
    assert "Your people" in body and "Liisa Hoitaja (sairaanhoitaja)" in body and "Someone Else" not in body
    assert "When Sanna Virtanen can be reached" in body and "Monday" in body
    now = datetime.now(UTC)
    db.session.add(Absence(user_id=coordinator.id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3)))
    db.session.commit()
    assert queries.care_team(enrolment).contact_person == deputy
    body = _page(client, "/me")
    assert "is away until" in body and "Pekka Nieminen stands in and receives your messages" in body
    assert "When Pekka Nieminen can be reached" in body
    assert other.id != enrolment.id


def test_agreeing_sets_the_next_review_at_the_programmes_interval(db, worker, enrolment):
    _goal(db, enrolment, worker)
    operations.agree_version(worker, enrolment)
    plan = queries.plan_of(enrolment)
    assert plan.review_on == date.today() + timedelta(days=90)
    operations.set_review(worker, enrolment, date.today() + timedelta(days=10), 90)
    operations.agree_version(worker, enrolment)  # a review date still ahead is kept
    assert plan.review_on == date.today() + timedelta(days=10)


def test_the_review_booking_form_offers_the_next_review_date(db, client, login, worker, enrolment):
    _goal(db, enrolment, worker)
    operations.set_review(worker, enrolment, date(2031, 3, 3), 90)
    db.session.commit()
    login(worker)
    body = _page(client, f"/plans/{enrolment.id}")
    assert 'id="book-day"' in body and 'value="2031-03-03"' in body


def test_other_programmes_move_through_their_own_phases(db, client, login, me, worker, create_enrolment):
    """Not only PPT: a remote-guidance service moves through the phases its programme definition names."""
    guidance = create_enrolment(me, coordinator=worker, programme="remote-guidance")
    assert guidance.phase == "start"
    operations.move_to_next_phase(worker, guidance, "start")
    operations.move_to_next_phase(worker, guidance, "guidance")
    assert guidance.phase == "closing"
    with pytest.raises(operations.PlanError):
        operations.move_to_next_phase(worker, guidance, "closing")
    moves = queries.transitions(guidance)
    assert [(t.from_phase, t.to_phase, t.by_id) for t in moves] == [
        ("start", "guidance", worker.id), ("guidance", "closing", worker.id)]
    audits = db.session.scalars(select(AuditRecord).where(AuditRecord.object_type == "enrolment",
                                                          AuditRecord.object_id == str(guidance.id))).all()
    assert len(audits) == 2 and all(a.actor_id == worker.id and a.action is AuditAction.UPDATE for a in audits)
    db.session.commit()
    login(worker)
    page = _page(client, f"/plans/{guidance.id}")
    assert "Move to the next phase" not in page  # the last phase: nothing further to move to
