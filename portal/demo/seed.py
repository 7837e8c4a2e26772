"""The demo county: a deterministic, re-runnable seeder for the embedded default and for tests.

This module holds the organisation (units, staff, the README logins) and runs the whole seeding;
``people`` makes the clients and ``history`` their enrolments, appointments and contact records.
Same ``seed`` and ``today`` give the same data: every random choice comes from one
``random.Random(seed)``, and the only clock is ``today``. The caller commits.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import AccountKind, JobTitle, Role, User, UserRole
from portal.auth.passwords import hash_password
from portal.demo.groups import seed_groups
from portal.demo.history import HistoryBuilder
from portal.demo.intake import seed_intake
from portal.demo.measures import seed_measures
from portal.demo.network import seed_network
from portal.demo.people import CLIENT_PROFILES, FIXED_CLIENTS, MUNICIPALITIES, ClientFactory, Decks, ascii_name
from portal.demo.plans import seed_messages, seed_plans
from portal.demo.queues import seed_queues
from portal.demo.referrals import seed_referrals
from portal.people.models import Client, Municipality, OrgUnit, UnitMembership
from portal.programmes.definitions_schema import ProgrammeDefinition
from portal.programmes.models import EnrolmentStatus, Programme
from portal.scheduling.models import Appointment

DEMO_PASSWORD = "silta-demo-2026"
ADMIN_EMAIL = "admin@silta.example"
DEMO_LOGINS: list[tuple[str, str]] = [
    (ADMIN_EMAIL, "Administrator (service owner): programmes, units, instruments, users"),
    ("sanna.virtanen@silta.example", "Worker and care coordinator, Helsinki remote social guidance"),
    ("mikael.lindqvist@silta.example", "Worker and team lead, Länsi-Uusimaa housing-service guidance (Swedish)"),
    ("marja.aaltonen@silta.example", "Service-unit manager, Länsi-Uusimaa housing-service guidance: chairs SAP"),
    ("anna.korhonen@silta.example", "Worker, Päijät-Häme intensive social rehabilitation"),
    ("jonna.laine@silta.example", "Queue coordinator, Länsi-Uusimaa housing services"),
    ("asumispalvelu@silta.example", "Housing-service provider: vacancies, starts and ends"),
    ("hoitaja.terveysasema@silta.example", "Referrer: primary-care nurse at the Mikkeli health centre"),
    ("asiakas.aino@silta.example", "Client Aino Mäkelä: remote social guidance, Helsinki"),
    ("klient.elsa@silta.example", "Client Elsa Holmström: housing-service guidance, Raasepori (Swedish)"),
    ("client.juho@silta.example", "Client Juho Nieminen, 22: intensive social rehabilitation, Lahti"),
]
LANSI_UUSIMAA = ("049", "078", "149", "224", "235", "257", "444", "710", "755", "927")
PAIJAT_HAME = ("398", "111", "098", "560")


@dataclass(frozen=True)
class UnitSpec:
    code: str
    fi: str
    sv: str
    en: str
    county: str
    municipalities: tuple[str, ...]
    serves: str  # the seed number of the programme this unit runs


UNITS = (
    UnitSpec("hki-etaohjaus", "Asumisen tuki, etäsosiaaliohjaus", "Boendestöd, social handledning på distans",
             "Housing support, remote social guidance", "Helsingin kaupunki", ("091",), "000"),
    UnitSpec("hki-ppt", "Terveys- ja hyvinvointikeskus, PPT", "Hälso- och välfärdscentralen, PPT",
             "Health and wellbeing centre, PPT", "Helsingin kaupunki", ("091",), "003"),
    UnitSpec("lu-asumisohjaus", "Keskitetty asumispalveluiden asiakasohjaus",
             "Centraliserad klienthandledning för boendeservice", "Centralised housing-service client guidance",
             "Länsi-Uudenmaan hyvinvointialue", LANSI_UUSIMAA, "001"),
    UnitSpec("ph-sosku", "Sosiaalisen kuntoutuksen yksikkö", "Enheten för social rehabilitering",
             "Social rehabilitation unit", "Päijät-Hämeen hyvinvointialue", PAIJAT_HAME, "002"),
    UnitSpec("es-tesoty", "Terveyssosiaalityön yksikkö, Mikkeli", "Enheten för hälsosocialt arbete, S:t Michel",
             "Health social work unit, Mikkeli", "Etelä-Savon hyvinvointialue", ("491",), "004"),
)


@dataclass(frozen=True)
class StaffSpec:
    name: str
    title: str
    roles: tuple[Role, ...]
    units: tuple[str, ...]
    locale: str = "fi"
    email: str | None = None  # default: firstname.lastname@silta.example

    @property
    def address(self) -> str:
        return self.email or f"{ascii_name(self.name)}@silta.example"


W, CC, LEAD, QUEUE = Role.WORKER, Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.QUEUE_COORDINATOR
# The structured job title of each demo title (its part before a comma); the free text stays as the detail.
JOB_TITLES = {
    "palvelun omistaja": JobTitle.SYSTEM_ADMINISTRATOR, "sosiaaliohjaaja": JobTitle.SOCIAL_COUNSELLOR,
    "psykiatrinen sairaanhoitaja": JobTitle.PSYCHIATRIC_NURSE, "palveluyksikköpäällikkö": JobTitle.SERVICE_MANAGER,
    "sosiaalityöntekijä": JobTitle.SOCIAL_WORKER, "johtava sosiaalityöntekijä": JobTitle.LEADING_SOCIAL_WORKER,
    "jonokoordinaattori": JobTitle.QUEUE_COORDINATOR, "vastaava ohjaaja": JobTitle.HOUSING_SUPERVISOR,
    "terveyssosiaalityöntekijä": JobTitle.HEALTH_SOCIAL_WORKER, "sairaanhoitaja": JobTitle.NURSE,
}
STAFF = (
    StaffSpec("Silta-pääkäyttäjä", "palvelun omistaja", (Role.ADMIN,), (), email="admin@silta.example"),
    StaffSpec("Sanna Virtanen", "sosiaaliohjaaja", (W, CC), ("hki-etaohjaus",)),
    StaffSpec("Laura Heikkinen", "psykiatrinen sairaanhoitaja", (W, CC), ("hki-etaohjaus",)),
    StaffSpec("Henrik Sjöberg", "palveluyksikköpäällikkö", (LEAD,), ("hki-etaohjaus", "hki-ppt"), "sv"),
    StaffSpec("Jukka Mäkinen", "sosiaalityöntekijä", (W, CC), ("hki-ppt",)),
    StaffSpec("Riikka Koskinen", "psykiatrinen sairaanhoitaja", (W,), ("hki-ppt",)),
    StaffSpec("Mikael Lindqvist", "johtava sosiaalityöntekijä", (W, LEAD), ("lu-asumisohjaus",), "sv"),
    # Seed 001: the palveluyksikköpäällikkö chairs the SAP meetings (a role of its own, no caseload).
    StaffSpec("Marja Aaltonen", "palveluyksikköpäällikkö", (Role.SERVICE_MANAGER,), ("lu-asumisohjaus",)),
    StaffSpec("Camilla Nyström", "sosiaaliohjaaja, jonokoordinaattorin varahenkilö", (W, QUEUE),
              ("lu-asumisohjaus",), "sv"),
    StaffSpec("Jonna Laine", "jonokoordinaattori", (QUEUE,), ("lu-asumisohjaus",)),
    StaffSpec("Tuija Saarinen", "vastaava ohjaaja, asumispalveluyksikkö Vaahtera", (Role.HOUSING_UNIT,),
              ("lu-asumisohjaus",), email="asumispalvelu@silta.example"),
    StaffSpec("Anna Korhonen", "sosiaaliohjaaja", (W,), ("ph-sosku",)),
    StaffSpec("Ville Lehtonen", "sosiaaliohjaaja", (W,), ("ph-sosku",)),
    StaffSpec("Kaisa Partanen", "terveyssosiaalityöntekijä", (W, CC), ("es-tesoty",)),
    StaffSpec("Päivi Hyvönen", "sairaanhoitaja, Mikkelin terveysasema", (Role.REFERRER,), ("es-tesoty",),
              email="hoitaja.terveysasema@silta.example"),
)

# Clients of the first programme who are also in the second: people in Helsinki's remote guidance
# who need many services get a PPT own team as well.
ALSO_ENROLLED = ("000", "003", 3)


@dataclass
class DemoSummary:
    """What one run created; all zero (``created`` False) when the demo data was already there."""

    created: bool = False
    municipalities: int = 0
    units: int = 0
    programmes_added: int = 0
    staff: int = 0
    clients: int = 0
    client_logins: int = 0
    enrolments: int = 0
    ended_enrolments: int = 0
    team_members: int = 0
    contacts: int = 0  # records of what happened (held, cancelled, no-show)
    contacts_by_modality: dict[str, int] = field(default_factory=dict)
    appointments: int = 0  # every meeting, past and booked; a closed group's session is one
    appointments_by_status: dict[str, int] = field(default_factory=dict)


def seed_demo(session: Session, definitions: dict[str, ProgrammeDefinition], *, seed: int = 2026,
              today: date | None = None) -> DemoSummary:
    """Insert the demo county and flush; does nothing if the demo admin already exists."""
    if session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return DemoSummary()
    today = today or date.today()
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    programmes_added = _ensure_programmes(session, definitions)
    municipalities, units = _build_places(session)
    staff = _build_staff(session, units, password_hash, today)
    session.flush()  # programmes and places get their keys before anything refers to them
    decks = Decks(rng)
    history = HistoryBuilder(rng, decks, today, staff)
    factory = ClientFactory(rng, decks, today, password_hash)
    clients = _enrol_clients(definitions, units, municipalities, staff, history, factory)
    history.cover_every_modality()
    session.add_all(clients)
    session.add_all(history.enrolments)
    session.flush()  # the clients' ids go into the participants' person keys
    appointments = history.appointments()
    session.add_all(appointments)
    session.flush()  # the database checks every participant row against double booking here
    session.add_all(history.link_contacts())  # the appointments' ids go into the contact records
    session.flush()
    seed_measures(session, definitions, history.enrolments, appointments, today, rng)
    seed_plans(session, definitions, history.enrolments, today)
    seed_messages(session, history.enrolments, today)
    seed_referrals(session, history.enrolments, today)
    seed_network(session, history.enrolments, today)  # professionals outside Silta (seeds 003, 004)
    appointments += seed_groups(session, today)  # the closed groups' sessions ahead are new appointments
    seed_intake(session, history.enrolments, today, rng)  # housing intake, assessments, SAP, decisions
    seed_queues(session, today, seed)  # last: after the intake demo has queued its granted clients
    return _summary(programmes_added, municipalities, units, staff, clients, history, appointments)


def _ensure_programmes(session: Session, definitions: dict[str, ProgrammeDefinition]) -> int:
    """The app syncs programme rows at start; a bare database (tests, CLI) gets them here."""
    missing = [d for code, d in sorted(definitions.items()) if session.get(Programme, code) is None]
    session.add_all(Programme(code=d.code, version=d.version, checksum="demo") for d in missing)
    return len(missing)


def _enrol_clients(definitions, units, municipalities, staff, history: HistoryBuilder,
                   factory: ClientFactory) -> list[Client]:
    """Clients programme by programme (in seed order, so shared clients exist before they are shared)."""
    by_seed: dict[str, list[Client]] = {}
    ordered = sorted(definitions.values(), key=lambda d: (d.seed or "~", d.code))
    for definition in ordered:
        spec = next((u for u in UNITS if u.serves == definition.seed), None)
        profile = CLIENT_PROFILES.get(definition.seed or "")
        workers = _workers_of(staff, spec.code) if spec else []
        if profile is None or not workers:
            continue  # a programme the demo county does not run
        unit = units[spec.code]
        clients = by_seed.setdefault(definition.seed, [])
        for fixed in (f for f in FIXED_CLIENTS if f.serves == definition.seed):
            clients.append(factory.fixed(fixed, municipalities))
            history.enrol(clients[-1], definition, unit, workers, fixed)
        places = list(unit.municipalities)
        for _ in range(profile.count):
            clients.append(factory.random(profile, places, definition.eligibility.records_diagnosis_group))
            history.enrol(clients[-1], definition, unit, workers)
        _enrol_shared(by_seed, definition, unit, workers, history)
    return [client for clients in by_seed.values() for client in clients]


def _enrol_shared(by_seed, definition: ProgrammeDefinition, unit, workers, history: HistoryBuilder) -> None:
    source, target, count = ALSO_ENROLLED
    if definition.seed != target or source not in by_seed:
        return
    fixed_emails = {f.email for f in FIXED_CLIENTS}
    candidates = [c for c in by_seed[source] if c.email not in fixed_emails]
    for client in history.rng.sample(candidates, min(count, len(candidates))):
        history.enrol(client, definition, unit, workers)


def _summary(programmes_added, municipalities, units, staff, clients, history: HistoryBuilder,
             appointments: list[Appointment]) -> DemoSummary:
    contacts, enrolments = history.contacts, history.enrolments
    return DemoSummary(
        created=True, municipalities=len(municipalities), units=len(units), programmes_added=programmes_added,
        staff=len(staff), clients=len(clients), client_logins=sum(c.user is not None for c in clients),
        enrolments=len(enrolments),
        ended_enrolments=sum(e.status is EnrolmentStatus.ENDED for e in enrolments),
        team_members=sum(len(e.team) for e in enrolments), contacts=len(contacts),
        contacts_by_modality=dict(sorted(Counter(c.modality.value for c in contacts).items())),
        appointments=len(appointments),
        appointments_by_status=dict(sorted(Counter(a.status.value for a in appointments).items())),
    )


def _build_places(session) -> tuple[dict[str, Municipality], dict[str, OrgUnit]]:
    """Municipalities and units, reusing rows that are already there (matched by code)."""
    municipalities = {}
    for code, place in MUNICIPALITIES.items():
        row = session.get(Municipality, code)
        if row is None:
            row = Municipality(code=code, name_fi=place.fi, name_sv=place.sv)
            session.add(row)
        municipalities[code] = row
    units = {}
    for spec in UNITS:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == spec.code))
        if unit is None:
            unit = OrgUnit(code=spec.code, name_fi=spec.fi, name_sv=spec.sv, name_en=spec.en, county=spec.county,
                           municipalities=[municipalities[c] for c in spec.municipalities])
            session.add(unit)
        units[spec.code] = unit
    return municipalities, units


def _build_staff(session, units: dict[str, OrgUnit], password_hash: str, today: date) -> dict[str, User]:
    """Every staff member with roles and unit memberships, keyed by e-mail."""
    staff = {}
    joined = _midnight(date(today.year - 2, 8, 1))
    for spec in STAFF:
        user = User(kind=AccountKind.STAFF, email=spec.address, display_name=spec.name, title=spec.title,
                    job_title=JOB_TITLES.get(spec.title.split(",")[0]),
                    locale=spec.locale, password_hash=password_hash, created_at=joined,
                    roles=[UserRole(role=role) for role in spec.roles])
        session.add(user)
        session.add_all(UnitMembership(unit=units[code], user=user) for code in spec.units)
        staff[spec.address] = user
    return staff


def _workers_of(staff: dict[str, User], unit_code: str) -> list[User]:
    """The unit's workers: the people who can coordinate a client or hold a meeting there."""
    return [staff[s.address] for s in STAFF if Role.WORKER in s.roles and unit_code in s.units]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
