"""The demo county's plans, PPT phases and conversations (portal/demo/plans.py)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.demo.seed import seed_demo
from portal.messages import queries as message_queries
from portal.plans import queries
from portal.plans.models import GoalStatus, PhaseTransition, Plan
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus

TODAY = date(2026, 11, 20)


def test_demo_plans_phases_and_messages(db):
    seed_demo(db.session, {code: item.definition for code, item in registry.loaded().items()}, today=TODAY)
    active = db.session.scalars(select(Enrolment).where(Enrolment.status == EnrolmentStatus.ACTIVE,
                                                        Enrolment.coordinator_id.is_not(None))).all()
    plans = {p.enrolment_id: p for p in db.session.scalars(select(Plan))}

    def planned(e: Enrolment) -> bool:
        """A plan is agreed in the first week (never dated in the future), and in PPT not before phase 2."""
        return e.start_on + timedelta(days=7) < TODAY and not (e.programme_code == "many-services"
                                                                and e.phase == "referral")

    assert active and {e.id for e in active if planned(e)} == {e.id for e in active if e.id in plans}
    assert any(not planned(e) for e in active)  # the newest PPT service, at least
    for enrolment in (e for e in active if planned(e)):
        plan = plans[enrolment.id]
        assert plan.goals and plan.versions[0].number == 1
        assert {g["id"] for g in plan.versions[0].snapshot["goals"]} == {g.id for g in plan.goals}
        assert all(g.status is GoalStatus.AGREED and g.steps for g in plan.goals)

    # Every ended PPT service went through all four phases and left a continuation plan.
    ended = [p for p in plans.values() if p.enrolment.status is EnrolmentStatus.ENDED]
    assert ended and all(p.enrolment.programme_code == "many-services" for p in ended)
    for plan in ended:
        finished = plan.enrolment
        assert finished.phase == "continuation" and plan.has_continuation
        moves = queries.transitions(finished)
        assert [(t.from_phase, t.to_phase) for t in moves] == [
            ("referral", "assessment-planning"), ("assessment-planning", "service-delivery"),
            ("service-delivery", "continuation")]
        assert all(t.by_id == finished.coordinator_id for t in moves)
        times = [t.at for t in moves]
        assert times == sorted(times) and finished.start_on <= times[0].date() and times[-1].date() <= finished.ended_on
    # Active PPT services are in a phase their transitions explain; the newest waits in its first phase
    # with Sanna (a README login) in its own team, to be walked through the phases in the demo.
    sanna = db.session.scalar(select(User).where(User.email == "sanna.virtanen@silta.example"))
    ppt = [e for e in active if e.programme_code == "many-services"]
    for enrolment in ppt:
        moves = queries.transitions(enrolment)
        assert enrolment.phase == (moves[-1].to_phase if moves else "referral")
    story = max(ppt, key=lambda e: (e.start_on, e.id))
    assert story.phase == "referral" and sanna.id in {m.user_id for m in story.team}

    # Aino's message waits in Sanna's inbox; Elsa has an unread answer.
    aino = db.session.scalar(select(User).where(User.email == "asiakas.aino@silta.example"))
    elsa = db.session.scalar(select(User).where(User.email == "klient.elsa@silta.example"))
    inbox = message_queries.inbox(sanna)
    assert inbox and inbox[0].unread and inbox[0].thread.waiting_since is not None
    assert [r.unread for r in message_queries.client_threads(aino)] == [False]
    assert [r.unread for r in message_queries.client_threads(elsa)] == [True]
    assert len(db.session.scalars(select(PhaseTransition)).all()) >= 3
    # The README coordinators and Aino's deputy have (drawn) photos on the care-team card.
    aino_enrolment = next(e for e in active if e.client.user_id == aino.id)
    team = queries.care_team(aino_enrolment)
    assert {sanna.id, aino_enrolment.deputy_id} <= set(team.photos)
