"""Demo plans, phases and messages: every active enrolment gets a plan written with the client, PPT
enrolments have moved through their phases (one ended PPT service with its continuation plan), and the
demo clients Aino and Elsa have a conversation with their coordinator, one waiting for an answer.

Rows are built directly in the seeder's session (the operations need a request's user and session).
Deterministic: each enrolment's choices come from its own ``random.Random`` keyed by its id; the only
clock is ``today``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from io import BytesIO

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.messages.models import Message, ReadMark, Thread
from portal.people.models import ClientLanguage
from portal.plans import photos
from portal.plans.models import (
    Goal,
    GoalStatus,
    PhaseTransition,
    Plan,
    PlanVersion,
    StaffPhoto,
    Step,
    StepOwner,
)
from portal.plans.operations import snapshot
from portal.programmes.definitions_schema import ProgrammeDefinition
from portal.programmes.models import Enrolment, EnrolmentStatus, TeamMember
from portal.scheduling.timeutil import local

# Goals in the client's own words, each with steps (what, who, days from the plan's start).
GOALS = {
    "fi": [
        ("Haluan nukkua öisin paremmin", [("Iltarutiini: ruutu pois tuntia ennen nukkumaanmenoa", StepOwner.CLIENT, 14),
                                          ("Aika terveysaseman lääkärille unesta", StepOwner.WORKER, 21)]),
        ("Haluan pitää asuntoni", [("Vuokrarästien maksusuunnitelma isännöitsijän kanssa", StepOwner.WORKER, 14),
                                   ("Laskut auki kerran viikossa yhdessä siskon kanssa", StepOwner.RELATIVE, 30)]),
        ("Haluan liikkua enemmän", [("Kävely kolmesti viikossa", StepOwner.CLIENT, 30),
                                    ("Tutustuminen kuntosaliryhmään", StepOwner.TEAM_MEMBER, 45)]),
        ("Haluan löytää työ- tai opiskelupaikan", [("CV:n päivitys", StepOwner.CLIENT, 21),
                                                   ("Yhteys TE-palveluihin", StepOwner.WORKER, 14)]),
    ],
    "sv": [
        ("Jag vill sova bättre på nätterna", [("Kvällsrutin: skärmen av en timme före sängdags", StepOwner.CLIENT, 14),
                                              ("Tid till läkaren på hälsostationen", StepOwner.WORKER, 21)]),
        ("Jag vill behålla min bostad", [
            ("Avbetalningsplan för hyresskulden med disponenten", StepOwner.WORKER, 14),
            ("Öppna räkningarna en gång i veckan med min syster", StepOwner.RELATIVE, 30)]),
        ("Jag vill röra på mig mer", [("Promenad tre gånger i veckan", StepOwner.CLIENT, 30),
                                      ("Prova på gymgruppen", StepOwner.TEAM_MEMBER, 45)]),
    ],
}
CONTINUATION = {
    "fi": ("Hoitovastaavan tapaamiset päättyvät. Terveysaseman sairaanhoitaja jatkaa tapaamisia kerran kuussa.",
           "Jatka iltarutiinia ja kävelyä. Pidä laskupäivä sisaresi kanssa.",
           "Sosiaali- ja kriisipäivystys 0206 96006 (24 h). Terveysaseman ajanvaraus arkisin 8–16."),
    "sv": ("Mötena med vårdansvarig upphör. Sjukskötaren på hälsostationen fortsätter med möten en gång i månaden.",
           "Fortsätt med kvällsrutinen och promenaderna. Håll räkningsdagen med din syster.",
           "Social- och krisjouren 0206 96006 (dygnet runt). Tidsbokning till hälsostationen vardagar 8–16."),
}
PPT = "many-services"
STORY_WORKER = "sanna.virtanen@silta.example"


def seed_plans(session: Session, definitions: dict[str, ProgrammeDefinition], enrolments: list[Enrolment],
               today: date) -> int:
    """Add plans (and PPT phase transitions) for the enrolments; returns how many plans were added.

    Every active enrolment older than a week gets a plan agreed in its first week; every ended PPT service
    moved through all four phases and has its continuation plan. A PPT service still in its first phase
    (referral) has no plan: seed 003 writes the plan with the client in phase 2, assessment and planning. One
    new PPT service is left in its first phase with the demo coordinator Sanna in its own team, so that the
    phases can be walked through with a README login. Nothing is dated today or later (issue 18).
    """
    story = _story(enrolments)
    added = 0
    for enrolment in sorted(enrolments, key=lambda e: e.id):
        definition = definitions.get(enrolment.programme_code)
        if definition is None or enrolment.coordinator is None:
            continue
        active = enrolment.status is EnrolmentStatus.ACTIVE
        ended_ppt = not active and enrolment.programme_code == PPT
        if not (active or ended_ppt):
            continue
        if enrolment is story:
            _join_team(session, enrolment, definition)
        elif enrolment.programme_code == PPT:
            _phases(session, enrolment, definition, today, to_last=ended_ppt)
        agreed_on = enrolment.start_on + timedelta(days=7)
        in_referral = enrolment.programme_code == PPT and enrolment.phase == definition.first_phase
        if in_referral and enrolment is not story and enrolment.start_on < today:
            # Phase 1 made the preliminary estimate with the client; the plan itself is not agreed yet.
            _estimate(_bare_plan(session, enrolment, definition), enrolment, today)
        if in_referral or (active and agreed_on >= today):
            continue  # no plan agreed yet: not before phase 2 of PPT, not in the future
        plan = _plan(session, enrolment, definition, today, random.Random(f"plan-{enrolment.id}"))
        if enrolment.programme_code == PPT:
            _estimate(plan, enrolment, today)
        if ended_ppt:
            _continuation(plan, enrolment)
        added += 1
    session.flush()
    return added


def _story(enrolments: list[Enrolment]) -> Enrolment | None:
    """The PPT service that started last (still active): the one the demo walks through the phases."""
    ppt = [e for e in enrolments if e.programme_code == PPT and e.status is EnrolmentStatus.ACTIVE]
    return max(ppt, key=lambda e: (e.start_on, e.id), default=None)


def _join_team(session: Session, enrolment: Enrolment, definition: ProgrammeDefinition) -> None:
    """Back to the first phase (no transitions yet) with Sanna in the own team."""
    enrolment.phase = definition.first_phase
    sanna = session.scalar(select(User).where(User.email == STORY_WORKER))
    if sanna is None or any(m.user_id == sanna.id for m in enrolment.team):
        return
    enrolment.team.append(TeamMember(user=sanna, team_role="sosiaaliohjaaja, etäohjaus"))


def _language(enrolment: Enrolment) -> str:
    return "sv" if enrolment.client.language is ClientLanguage.SV else "fi"


def _at(day: date, hour: int = 10) -> datetime:
    return local(day, time(hour))


def _plan(session: Session, enrolment: Enrolment, definition: ProgrammeDefinition, today: date,
          rng: random.Random) -> Plan:
    start = enrolment.start_on + timedelta(days=7)
    end = enrolment.ended_on or today
    interval = definition.plan.review_interval_days if definition.plan else None
    plan = Plan(enrolment=enrolment, review_interval_days=interval, created_at=_at(min(start, end)))
    session.add(plan)
    bank = GOALS[_language(enrolment)]
    client_user = enrolment.client.user
    for text, steps in rng.sample(bank, k=rng.choice((1, 2, 2, 3))):
        goal = Goal(plan=plan, text=text, status=GoalStatus.AGREED, created_at=_at(min(start, end)),
                    proposed_by_id=client_user.id if client_user and rng.random() < 0.5 else enrolment.coordinator.id)
        session.add(goal)
        for what, owner, days in steps:
            due = start + timedelta(days=days)
            done = due < end and rng.random() < 0.6
            goal.steps.append(Step(what=what, owner=owner, due_on=due, done=done,
                                   done_at=_at(due, 12) if done else None,
                                   done_by_id=enrolment.coordinator.id if done else None))
    session.flush()
    _versions(session, plan, enrolment, interval, min(start, end), end, rng)
    return plan


def _versions(session: Session, plan: Plan, enrolment: Enrolment, interval: int | None, agreed_on: date, end: date,
              rng: random.Random) -> None:
    """The first agreed version, then (PPT: reviewed regularly) one agreed version per review, as agreeing
    does it: each keeps the next review date. Most reviews are held by their date, some late; an active
    service's next review is the plan's review date (now and then already overdue)."""
    due = agreed_on + timedelta(days=interval) if interval else None
    number = 1
    while True:
        session.add(PlanVersion(plan_id=plan.id, number=number, agreed_at=_at(agreed_on, 11),
                                agreed_by_id=enrolment.coordinator.id, review_on=due, snapshot=snapshot(plan)))
        if due is None:
            return
        late = rng.random() < 0.2
        held = due + timedelta(days=rng.randint(5, 25) if late else -rng.randint(0, 10))
        if held >= end:
            break
        number, agreed_on, due = number + 1, held, held + timedelta(days=interval)
    if enrolment.status is EnrolmentStatus.ACTIVE:
        plan.review_on = due


def _phases(session: Session, enrolment: Enrolment, definition: ProgrammeDefinition, today: date,
            to_last: bool) -> None:
    """Move through the phases at plausible moments: an ended service through all of them, spread over
    its time; an active one to assessment after a week and to delivery after a month."""
    codes = [p.code for p in definition.phases]
    end = enrolment.ended_on or today
    if to_last:
        span = (end - enrolment.start_on).days
        moments = [enrolment.start_on + timedelta(days=span * k // len(codes)) for k in range(1, len(codes))]
    else:
        moments = [enrolment.start_on + timedelta(days=7), enrolment.start_on + timedelta(days=30)]
    enrolment.phase = codes[0]
    for index, day in enumerate(moments):
        if day > end or index + 1 >= len(codes):
            break
        session.add(PhaseTransition(enrolment_id=enrolment.id, from_phase=codes[index], to_phase=codes[index + 1],
                                    by_id=enrolment.coordinator.id, at=_at(day, 13)))
        enrolment.phase = codes[index + 1]


ESTIMATE_SERVICES = {
    "fi": ["Hoitovastaavan tapaamiset, terveysaseman lääkäri ja sosiaaliohjaus.",
           "Psykiatrinen sairaanhoitaja, päihdepalvelut ja aikuissosiaalityö.",
           "Kotihoidon käynnit, lääkärin seuranta ja toimeentulon selvittely."],
    "sv": ["Möten med vårdansvarig, läkaren på hälsostationen och social handledning.",
           "Psykiatrisk sjukskötare, missbrukstjänster och socialt arbete för vuxna."],
}


def _bare_plan(session: Session, enrolment: Enrolment, definition: ProgrammeDefinition) -> Plan:
    """A plan row without goals or agreed versions: what PPT's first phase writes (the estimate)."""
    interval = definition.plan.review_interval_days if definition.plan else None
    plan = Plan(enrolment=enrolment, review_interval_days=interval, created_at=_at(enrolment.start_on, 14))
    session.add(plan)
    return plan


def _estimate(plan: Plan, enrolment: Enrolment, today: date) -> None:
    """PPT phase 1 (seed 003): how long and how much service, estimated with the client in the first days."""
    rng = random.Random(f"estimate-{enrolment.id}")
    plan.estimate_months = rng.choice((3, 6, 6, 9, 12, 12, 18))
    plan.estimate_contacts_per_month = rng.choice((2, 3, 4, 4, 6, 8))
    plan.estimate_services = rng.choice(ESTIMATE_SERVICES[_language(enrolment)])
    plan.estimated_on = min(enrolment.start_on + timedelta(days=rng.randint(1, 4)), today - timedelta(days=1))
    plan.estimated_by_id = enrolment.coordinator_id


def _continuation(plan: Plan, enrolment: Enrolment) -> None:
    plan.next_steps, plan.self_care, plan.support = CONTINUATION[_language(enrolment)]
    plan.continuation_at = _at((enrolment.ended_on or enrolment.start_on) - timedelta(days=7), 14)


CONVERSATIONS = {
    "asiakas.aino@silta.example": ("Kysymys ensi viikosta", [
        ("worker", "Hei Aino! Muistathan, että ensi viikon tapaaminen on videolla. "
                   "Kerro, jos haluat mieluummin kotikäynnin.", 3),
        ("client", "Kiitos, video sopii. Voisinko ottaa siskoni mukaan tapaamiseen?", 1),
    ]),
    "klient.elsa@silta.example": ("Ansökan om boendeservice", [
        ("client", "Hej! Har ni fått mina papper från läkaren?", 2),
        ("worker", "Hej Elsa, ja, de kom i går. Jag återkommer när teamet har behandlat ansökan.", 1),
    ]),
}


def seed_messages(session: Session, enrolments: list[Enrolment], today: date) -> int:
    """A conversation for the demo clients with logins named above; Aino's waits for Sanna's answer."""
    added = 0
    for enrolment in sorted(enrolments, key=lambda e: e.id):
        user = enrolment.client.user
        if user is None or user.email not in CONVERSATIONS or enrolment.status is not EnrolmentStatus.ACTIVE:
            continue
        if enrolment.coordinator is None:
            continue
        subject, lines = CONVERSATIONS[user.email]
        read_up_to: dict[int, datetime] = {}
        thread = Thread(enrolment=enrolment, subject=subject, started_by_id=user.id,
                        created_at=_at(today - timedelta(days=lines[0][2]), 9))
        session.add(thread)
        for who, body, days_ago in lines:
            author = user if who == "client" else enrolment.coordinator
            at = _at(today - timedelta(days=days_ago), 9)
            thread.messages.append(Message(author_id=author.id, body=body, created_at=at))
            thread.last_message_at = at
            thread.waiting_since = (thread.waiting_since or at) if who == "client" else None
            read_up_to[author.id] = at  # each has read up to their own last message
        session.flush()
        session.add_all(ReadMark(thread_id=thread.id, user_id=uid, read_at=at) for uid, at in read_up_to.items())
        added += 1
    seed_photos(session)
    session.flush()
    return added


# Drawn placeholder portraits (never a real person's face) for the README coordinators and Aino's deputy,
# so the care-team card shows what a photo looks like; background and clothes colours per person.
PHOTOS = {"sanna.virtanen@silta.example": ("#9fc9eb", "#0000bf"),
          "laura.heikkinen@silta.example": ("#ffe977", "#00815c"),
          "mikael.lindqvist@silta.example": ("#d0e6a3", "#6b2e8f")}


def seed_photos(session: Session) -> int:
    """Stored through the same processing as an upload (re-encoded, square, at most 512 px)."""
    users = session.scalars(select(User).where(User.email.in_(PHOTOS))).all()
    for user in users:
        photo = photos.process(_portrait(*PHOTOS[user.email]))
        session.merge(StaffPhoto(user_id=user.id, data=photo.data, size=len(photo.data), width=photo.width,
                                 height=photo.height))
    return len(users)


def _portrait(background: str, clothes: str) -> bytes:
    image = Image.new("RGB", (400, 400), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 260, 330, 520), fill=clothes)  # shoulders
    draw.ellipse((140, 90, 260, 230), fill="#e8b89a")  # head
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
