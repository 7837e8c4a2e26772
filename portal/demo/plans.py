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

from sqlalchemy.orm import Session

from portal.messages.models import Message, ReadMark, Thread
from portal.people.models import ClientLanguage
from portal.plans.models import Goal, GoalStatus, PhaseTransition, Plan, PlanVersion, Step, StepOwner
from portal.plans.operations import snapshot
from portal.programmes.definitions_schema import ProgrammeDefinition
from portal.programmes.models import Enrolment, EnrolmentStatus
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


def seed_plans(session: Session, definitions: dict[str, ProgrammeDefinition], enrolments: list[Enrolment],
               today: date) -> int:
    """Add plans (and PPT phase transitions) for the enrolments; returns how many plans were added."""
    added = 0
    ended_ppt_done = False
    for enrolment in sorted(enrolments, key=lambda e: e.id):
        definition = definitions.get(enrolment.programme_code)
        if definition is None or enrolment.coordinator is None:
            continue
        rng = random.Random(f"plan-{enrolment.id}")
        active = enrolment.status is EnrolmentStatus.ACTIVE
        continuation = not active and enrolment.programme_code == PPT and not ended_ppt_done
        if not (active or continuation):
            continue
        plan = _plan(session, enrolment, definition, today, rng)
        if enrolment.programme_code == PPT:
            _phases(session, enrolment, definition, today, to_last=continuation)
        if continuation:
            _continuation(plan, enrolment)
            ended_ppt_done = True
        added += 1
    session.flush()
    return added


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
    session.add(PlanVersion(plan_id=plan.id, number=1, agreed_at=_at(min(start, end), 11),
                            agreed_by_id=enrolment.coordinator.id, review_on=None, snapshot=snapshot(plan)))
    if interval and enrolment.status is EnrolmentStatus.ACTIVE:
        plan.review_on = max(start + timedelta(days=interval), today + timedelta(days=rng.randint(7, 40)))
    return plan


def _phases(session: Session, enrolment: Enrolment, definition: ProgrammeDefinition, today: date,
            to_last: bool) -> None:
    """Move through the phases at plausible moments: assessment after a week, delivery after a month."""
    codes = [p.code for p in definition.phases]
    end = enrolment.ended_on or today
    moments = [enrolment.start_on + timedelta(days=7), enrolment.start_on + timedelta(days=30)]
    if to_last:
        moments.append(max(enrolment.start_on + timedelta(days=31), end - timedelta(days=14)))
    for index, day in enumerate(moments):
        if day > end or index + 1 >= len(codes):
            break
        session.add(PhaseTransition(enrolment_id=enrolment.id, from_phase=codes[index], to_phase=codes[index + 1],
                                    by_id=enrolment.coordinator.id, at=_at(day, 13)))
        enrolment.phase = codes[index + 1]


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
    session.flush()
    return added
