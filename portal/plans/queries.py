"""Reading plans: the plan of an enrolment (audited), version comparison, phase history, review dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select

from portal.audit.operations import record_read
from portal.auth.models import User
from portal.db import read, utcnow
from portal.extensions import db
from portal.plans.models import GoalStatus, PhaseTransition, Plan, PlanVersion, StaffPhoto
from portal.programmes.models import Enrolment
from portal.scheduling import hours
from portal.scheduling.models import Absence


def plan_of(enrolment: Enrolment) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.enrolment_id == enrolment.id))


def read_plan(actor: User, enrolment: Enrolment) -> Plan | None:
    """The plan, with the read written to the audit trail (every read of a plan is audited)."""
    plan = plan_of(enrolment)
    record_read(actor, "plans", "plan", plan.id if plan else f"enrolment-{enrolment.id}", enrolment.client_id)
    return plan


def client_enrolments(user: User) -> list[Enrolment]:
    """The signed-in client's enrolments, active first, ended ones kept (their continuation plan)."""
    return list(db.session.scalars(_client_enrolments(), {"user_id": user.id}))


@cache
def _client_enrolments() -> Select:
    """client_enrolments' statement, built once per process: the client's messages page runs it."""
    from portal.people.models import Client

    return (select(Enrolment).join(Client).where(Client.user_id == bindparam("user_id"))
            .order_by(Enrolment.status, Enrolment.start_on.desc()))


def transitions(enrolment: Enrolment) -> list[PhaseTransition]:
    return list(db.session.scalars(select(PhaseTransition).where(PhaseTransition.enrolment_id == enrolment.id)
                                   .order_by(PhaseTransition.id)))


def next_review_on(plan: Plan | None) -> date | None:
    """When the next review falls due: the set date, else the last agreed version plus the interval."""
    if plan is None:
        return None
    if plan.review_on:
        return plan.review_on
    if plan.review_interval_days and plan.latest_version:
        return plan.latest_version.agreed_at.date() + timedelta(days=plan.review_interval_days)
    return None


def version(plan: Plan, number: int | None) -> PlanVersion | None:
    return next((v for v in plan.versions if v.number == number), None)


@dataclass
class GoalChange:
    """One goal across two versions: what it said, its status, its steps, and whether anything changed."""

    text: str
    before: dict | None
    after: dict | None
    step_changes: list[tuple[dict | None, dict | None]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed" if self.before["status"] != self.after["status"] or self.step_changes else "same"


def compare(older: PlanVersion, newer: PlanVersion) -> list[GoalChange]:
    """Goal by goal (matched by id), what differs between two agreed versions."""
    before = {g["id"]: g for g in older.snapshot["goals"]}
    after = {g["id"]: g for g in newer.snapshot["goals"]}
    changes = []
    for goal_id in sorted(before.keys() | after.keys()):
        a, b = before.get(goal_id), after.get(goal_id)
        changes.append(GoalChange(text=(b or a)["text"], before=a, after=b, step_changes=_steps(a, b)))
    return changes


def _steps(a: dict | None, b: dict | None) -> list[tuple[dict | None, dict | None]]:
    old = {s["id"]: s for s in (a or {}).get("steps", [])}
    new = {s["id"]: s for s in (b or {}).get("steps", [])}
    return [(old.get(i), new.get(i)) for i in sorted(old.keys() | new.keys()) if old.get(i) != new.get(i)]


def open_goals(plan: Plan | None) -> list:
    return [g for g in (plan.goals if plan else []) if g.status in (GoalStatus.PROPOSED, GoalStatus.AGREED)]


@dataclass
class CareTeam:
    """The client's named people in one enrolment, and who to turn to right now."""

    coordinator: User | None
    deputy: User | None
    members: list  # TeamMember rows (user and role in the worker's words)
    away_until: datetime | None  # the coordinator's current absence ends then
    hours: list[tuple[int, list[tuple[time, time]]]]  # the contact person's working week
    photos: dict[int, datetime] = field(default_factory=dict)  # user id → when their photo was last changed

    @property
    def coordinator_away(self) -> bool:
        return self.away_until is not None

    @property
    def contact_person(self) -> User | None:
        """Who receives the client's messages now: the deputy while the coordinator is away."""
        if self.coordinator_away and self.deputy is not None:
            return self.deputy
        return self.coordinator or self.deputy


def absent_until(user: User | None, now: datetime) -> datetime | None:
    """The end of the user's absence covering ``now`` (absences are kept in scheduling)."""
    if user is None:
        return None
    return read(_absent_until_statement(), {"user_id": user.id, "now": now}).scalar()


# The client's home page asks these for each service's care team: built once per process (building a statement
# cost more CPU than running it), run on the connection (portal.db.read).

@cache
def _absent_until_statement() -> Select:
    now = bindparam("now")
    return select(func.max(Absence.ends_at)).where(
        Absence.user_id == bindparam("user_id"), Absence.starts_at <= now, Absence.ends_at > now)


def care_team(enrolment: Enrolment, now: datetime | None = None) -> CareTeam:
    now = now or utcnow()
    away_until = absent_until(enrolment.coordinator, now)
    team = CareTeam(enrolment.coordinator, enrolment.deputy, list(enrolment.team), away_until, [])
    people = [u.id for u in (team.coordinator, team.deputy, *[m.user for m in team.members]) if u is not None]
    team.photos = photo_stamps(people)
    person = team.contact_person
    if person is not None:
        week, _default = hours.effective_week(person)
        team.hours = sorted(week.items())
    return team


def photo_stamps(user_ids: list[int]) -> dict[int, datetime]:
    """Which of these staff members have a photo, and its version (for the image URL), in one query."""
    if not user_ids:
        return {}
    return dict(read(_photo_stamps_statement(), {"user_ids": list(user_ids)}).all())


@cache
def _photo_stamps_statement() -> Select:
    return select(StaffPhoto.user_id, StaffPhoto.updated_at).where(
        StaffPhoto.user_id.in_(bindparam("user_ids", expanding=True)))


def photo_of(user_id: int) -> StaffPhoto | None:
    return db.session.get(StaffPhoto, user_id)
