"""The demo county: counts, the README logins, the programmes' rules and shares, determinism, idempotence."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal import create_app
from portal.audit.models import AuditRecord
from portal.auth.models import AccountKind, Role, User
from portal.auth.passwords import verify_password
from portal.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, DemoSummary, seed_demo
from portal.extensions import db
from portal.meetings.models import Contact, ContactStatus
from portal.people.models import Client, ClientLanguage, UnitMembership
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality, ProgrammeDefinition
from portal.programmes.models import Enrolment, EnrolmentStatus

TODAY = date(2026, 11, 20)
HELSINKI = ZoneInfo("Europe/Helsinki")
LANSI_UUSIMAA = {"049", "078", "149", "224", "235", "257", "444", "710", "755", "927"}

# What the README promises for each demo login: account kind and staff roles.
EXPECTED_LOGINS = {
    "admin@silta.example": (AccountKind.STAFF, {Role.ADMIN}),
    "sanna.virtanen@silta.example": (AccountKind.STAFF, {Role.WORKER, Role.CARE_COORDINATOR}),
    "mikael.lindqvist@silta.example": (AccountKind.STAFF, {Role.WORKER, Role.TEAM_LEAD}),
    "anna.korhonen@silta.example": (AccountKind.STAFF, {Role.WORKER}),
    "jonna.laine@silta.example": (AccountKind.STAFF, {Role.QUEUE_COORDINATOR}),
    "asumispalvelu@silta.example": (AccountKind.STAFF, {Role.HOUSING_UNIT}),
    "hoitaja.terveysasema@silta.example": (AccountKind.STAFF, {Role.REFERRER}),
    "asiakas.aino@silta.example": (AccountKind.CLIENT, set()),
    "klient.elsa@silta.example": (AccountKind.CLIENT, set()),
    "client.juho@silta.example": (AccountKind.CLIENT, set()),
}


@dataclass
class Demo:
    session: Session
    definitions: dict[str, ProgrammeDefinition]
    summary: DemoSummary
    fingerprint: tuple

    def contacts(self, programme: str) -> list[Contact]:
        return list(self.session.scalars(
            select(Contact).join(Enrolment).where(Enrolment.programme_code == programme)
            .order_by(Contact.enrolment_id, Contact.starts_at)))

    def enrolments(self, programme: str | None = None) -> list[Enrolment]:
        query = select(Enrolment).order_by(Enrolment.id)
        if programme:
            query = query.where(Enrolment.programme_code == programme)
        return list(self.session.scalars(query))


@contextmanager
def fresh_database():
    """An app on an empty in-memory SQLite with foreign keys enforced, as PostgreSQL would."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SEED_DEMO_ON_START": False, "TESTING": True})
    with app.app_context():
        # In-memory SQLite shares one connection, so the pragma holds for the whole test.
        db.session.execute(text("PRAGMA foreign_keys = ON"))
        db.create_all()
        try:
            yield db.session, {code: item.definition for code, item in registry.loaded().items()}
        finally:
            db.session.remove()


@pytest.fixture(scope="module")
def demo():
    with fresh_database() as (session, definitions):
        summary = seed_demo(session, definitions, seed=2026, today=TODAY)
        session.commit()
        # Taken now: ``db.session`` follows the app context, so another app's database could answer later.
        yield Demo(session, definitions, summary, _fingerprint(session))


def _first_contacts(contacts: list[Contact]) -> set[int]:
    first: dict[int, Contact] = {}
    for contact in contacts:
        first.setdefault(contact.enrolment_id, contact)
    return {c.id for c in first.values()}


def _local(moment: datetime) -> datetime:
    return moment.astimezone(HELSINKI)


def test_the_counts_are_in_the_expected_ranges(demo):
    s, summary = demo.session, demo.summary
    assert summary.created
    assert s.scalar(select(func.count()).where(User.kind == AccountKind.STAFF)) == summary.staff
    assert 10 <= summary.staff <= 16
    assert 75 <= s.scalar(select(func.count()).select_from(Client)) == summary.clients <= 90
    logins = s.scalar(select(func.count()).where(Client.user_id.is_not(None)))
    assert summary.clients / 4 <= logins <= summary.clients / 2  # about a third, plus the fixed three
    assert summary.clients < summary.enrolments <= summary.clients + 6  # a few in two programmes
    assert s.scalar(select(func.count()).select_from(Contact)) == summary.contacts > 800
    assert set(s.scalars(select(Contact.enrolment_id))) == set(s.scalars(select(Enrolment.id)))
    assert summary.planned_contacts > 0
    assert summary.municipalities == 16 and summary.units == 5


def test_every_contact_type_and_modality_of_every_programme_occurs(demo):
    for code, definition in demo.definitions.items():
        seen = {(c.contact_type, c.modality) for c in demo.contacts(code)}
        offered = {(t.code, m) for t in definition.contact_types for m in t.modalities}
        assert offered <= seen, f"{code}: never {sorted(offered - seen)}"
    assert set(demo.summary.contacts_by_modality) == {m.value for m in Modality}


@pytest.mark.parametrize("email", sorted(EXPECTED_LOGINS))
def test_every_readme_login_exists_with_its_roles(demo, email):
    user = demo.session.scalar(select(User).where(User.email == email))
    kind, roles = EXPECTED_LOGINS[email]
    assert user is not None and user.kind is kind and user.role_set == roles


def test_every_readme_login_has_the_demo_password(demo):
    hashes = set(demo.session.scalars(select(User.password_hash).where(User.email.in_(EXPECTED_LOGINS))))
    assert len(hashes) == 1  # hashed once and shared (argon2 is slow), so verifying one checks all
    assert verify_password(hashes.pop(), DEMO_PASSWORD)
    others = demo.session.scalars(select(User.password_hash).where(
        User.kind == AccountKind.CLIENT, User.email.not_in(EXPECTED_LOGINS)))
    assert set(others) == {None}  # the other clients sign in with Suomi.fi only


def test_the_readme_list_is_the_module_constant(demo):
    assert {email for email, _ in DEMO_LOGINS} == set(EXPECTED_LOGINS)
    assert all(description for _, description in DEMO_LOGINS)


def test_the_demo_clients_are_as_the_readme_says(demo):
    s = demo.session

    def enrolment_of(email: str) -> Enrolment:
        return s.scalar(select(Enrolment).join(Client).join(User, Client.user_id == User.id)
                        .where(User.email == email))

    aino, elsa, juho = (enrolment_of(e) for e in
                        ("asiakas.aino@silta.example", "klient.elsa@silta.example", "client.juho@silta.example"))
    assert (aino.client.full_name, aino.programme_code) == ("Aino Mäkelä", "remote-guidance")
    assert aino.coordinator.email == "sanna.virtanen@silta.example"
    assert (elsa.client.full_name, elsa.programme_code, elsa.client.municipality_code) == (
        "Elsa Holmström", "housing-guidance", "710")
    assert elsa.client.language is ClientLanguage.SV and elsa.client.user.locale == "sv"
    assert (juho.client.full_name, juho.programme_code, juho.client.user.locale) == (
        "Juho Nieminen", "intensive-rehabilitation", "fi")
    assert juho.client.age_on(TODAY.year) == 22
    for enrolment in (aino, elsa, juho):
        assert enrolment.status is EnrolmentStatus.ACTIVE
        planned = [c for c in s.scalars(select(Contact).where(Contact.enrolment_id == enrolment.id))
                   if c.status is ContactStatus.PLANNED]
        assert planned, f"{enrolment.client.full_name} has no next meeting"


def test_some_staff_and_clients_use_swedish(demo):
    s = demo.session
    assert s.scalar(select(func.count()).where(User.kind == AccountKind.STAFF, User.locale == "sv")) >= 2
    assert s.scalar(select(User.locale).where(User.email == "mikael.lindqvist@silta.example")) == "sv"
    languages = Counter(s.scalars(select(Client.language)))
    assert languages[ClientLanguage.SV] >= 3 and languages[ClientLanguage.OTHER] >= 1


def test_enrolments_keep_the_programme_rules(demo):
    members = {(m.unit_id, m.user_id) for m in demo.session.scalars(select(UnitMembership))}
    for enrolment in demo.enrolments():
        definition = demo.definitions[enrolment.programme_code]
        assert definition.phase(enrolment.phase), f"{enrolment.phase} not in {definition.code}"
        assert (enrolment.status is EnrolmentStatus.ENDED) == (enrolment.ended_on is not None)
        assert enrolment.start_on <= TODAY and (enrolment.ended_on or TODAY) <= TODAY
        assert enrolment.deputy_id != enrolment.coordinator_id
        assert (enrolment.unit_id, enrolment.coordinator_id) in members
        days = definition.intensity.max_duration_days
        assert enrolment.planned_end_on == (enrolment.start_on + timedelta(days=days) if days else None)
    statuses = Counter(e.status for e in demo.enrolments())
    assert statuses[EnrolmentStatus.ENDED] >= 10 and statuses[EnrolmentStatus.ACTIVE] >= 30


def test_ppt_clients_have_an_own_team(demo):
    enrolments = demo.enrolments("many-services")
    assert enrolments and all(len(e.team) >= 2 for e in enrolments)
    assert all(any(m.user_id == e.coordinator_id for m in e.team) for e in enrolments)
    assert all(m.team_role for e in enrolments for m in e.team)


def test_background_data_follows_the_seed_texts(demo):
    ages = {code: [e.client.age_on(TODAY.year) for e in demo.enrolments(code)] for code in demo.definitions}
    assert all(20 <= a <= 68 for a in ages["remote-guidance"])
    assert all(18 <= a <= 29 for a in ages["intensive-rehabilitation"])
    assert all(20 <= a <= 95 for a in ages["health-social-work"])
    assert 56 <= statistics.mean(ages["health-social-work"]) <= 68
    health = [e.client for e in demo.enrolments("health-social-work")]
    assert 0.6 <= statistics.mean(c.pensioner for c in health) <= 0.8
    assert 0.3 <= statistics.mean(not c.social_welfare_client for c in health) <= 0.85
    assert all(e.client.diagnosis_group for e in demo.enrolments("remote-guidance"))
    housing = [e.client for e in demo.enrolments("housing-guidance")]
    assert {c.municipality_code for c in housing} <= LANSI_UUSIMAA
    assert any(c.language is ClientLanguage.SV for c in housing)
    for client in demo.session.scalars(select(Client)):
        assert re.fullmatch(r"\+358(4\d|50)\d{7}", client.phone)
        assert client.address


def test_remote_guidance_starts_at_home_and_is_mostly_remote(demo):
    contacts = demo.contacts("remote-guidance")
    first = _first_contacts(contacts)
    assert all(c.modality is Modality.HOME_VISIT for c in contacts if c.id in first)
    rest = [c for c in contacts if c.id not in first]
    assert sum(c.modality.remote for c in rest) / len(rest) > 0.70
    assert Counter(c.modality for c in rest).most_common(1)[0][0] is Modality.VIDEO


def test_remote_guidance_records_support_and_whether_remote_worked(demo):
    codes = {s.code for s in demo.definitions["remote-guidance"].support_types}
    held = [c for c in demo.contacts("remote-guidance") if c.status is ContactStatus.HELD]
    assert all(1 <= len(c.support_types) <= 3 and set(c.support_types) <= codes for c in held)
    remote = [c.worked_remotely for c in held if c.modality.remote]
    assert None not in remote and 0.6 <= statistics.mean(remote) < 1
    assert all(c.worked_remotely is None for c in held if not c.modality.remote)


def test_health_social_work_is_mostly_by_phone(demo):
    contacts = demo.contacts("health-social-work")
    shares = {m: n / len(contacts) for m, n in Counter(c.modality for c in contacts).items()}
    assert 0.70 <= shares[Modality.PHONE] <= 0.90
    assert shares[Modality.RECEPTION] <= 0.2 and shares[Modality.HOME_VISIT] <= 0.12
    per_enrolment = Counter(c.enrolment_id for c in contacts)
    assert max(per_enrolment.values()) <= 5 and 1 in per_enrolment.values()


def test_intensive_rehabilitation_meets_two_or_three_times_a_week(demo):
    contacts = demo.contacts("intensive-rehabilitation")
    for enrolment in demo.enrolments("intensive-rehabilitation"):
        days = ((enrolment.ended_on or TODAY) - enrolment.start_on).days
        past = [c for c in contacts if c.enrolment_id == enrolment.id and c.status is not ContactStatus.PLANNED]
        if days >= 28:
            assert 1.5 <= len(past) / days * 7 <= 3.5


def test_contacts_are_well_formed(demo):
    for contact in demo.session.scalars(select(Contact)):
        starts, ends = _local(contact.starts_at), _local(contact.ends_at)
        assert starts.weekday() < 5 and 8 <= starts.hour and ends <= starts.replace(hour=17, minute=0)
        assert ends > starts
        assert (contact.duration_minutes is not None) == (contact.status is ContactStatus.HELD)
        assert (starts.date() >= TODAY) == (contact.status is ContactStatus.PLANNED)
        if contact.status is ContactStatus.HELD:
            assert (ends - starts) == timedelta(minutes=contact.duration_minutes)
        enrolment = contact.enrolment
        assert enrolment.start_on <= starts.date() <= (enrolment.ended_on or TODAY + timedelta(days=30))


def test_workers_are_not_double_booked(demo):
    booked = defaultdict(set)
    for contact in demo.session.scalars(select(Contact)):
        # The members of a closed group meet together: one slot for all of them.
        booked[contact.worker_id].add((contact.starts_at, contact.ends_at))
    for slots in map(sorted, booked.values()):
        assert all(later[0] >= earlier[1] for earlier, later in zip(slots, slots[1:], strict=False))


def test_no_audit_records_are_written(demo):
    assert demo.session.scalar(select(func.count()).select_from(AuditRecord)) == 0


def test_a_second_run_changes_nothing(demo):
    s = demo.session
    before = [s.scalar(select(func.count()).select_from(t)) for t in (User, Client, Enrolment, Contact)]
    again = seed_demo(s, demo.definitions, seed=2026, today=TODAY)
    s.flush()
    assert again == DemoSummary(created=False)
    assert not s.new and not s.dirty
    assert [s.scalar(select(func.count()).select_from(t)) for t in (User, Client, Enrolment, Contact)] == before


def _fingerprint(session: Session) -> tuple:
    names = session.execute(select(Client.first_name, Client.last_name, Client.birth_year).order_by(Client.id)).all()
    contacts = session.execute(
        select(Contact.enrolment_id, Contact.contact_type, Contact.modality, Contact.status, Contact.starts_at)
        .order_by(Contact.id)).all()
    return [tuple(n) for n in names], [tuple(c) for c in contacts]


def test_the_same_seed_and_day_give_the_same_county(demo):
    with fresh_database() as (session, definitions):
        assert seed_demo(session, definitions, seed=2026, today=TODAY).created
        session.flush()
        names, contacts = _fingerprint(session)
    assert len(names) == demo.summary.clients and len(contacts) == demo.summary.contacts
    assert (names, contacts) == demo.fingerprint


def test_another_seed_gives_another_county(demo):
    with fresh_database() as (session, definitions):
        assert seed_demo(session, definitions, seed=7, today=TODAY).created
        session.flush()
        names, _ = _fingerprint(session)
    assert names != demo.fingerprint[0]


def test_seeds_the_migrated_schema(app, db):
    """The conftest's app runs the real migrations: the demo must fit the schema production has."""
    summary = seed_demo(db.session, {c: i.definition for c, i in registry.loaded().items()}, today=TODAY)
    db.session.commit()
    assert summary.created and summary.programmes_added == 0  # the app synced them already
    assert db.session.scalar(select(func.count()).select_from(Contact)) == summary.contacts


@pytest.mark.postgres
def test_seeds_postgresql(postgres_server):
    """PostgreSQL checks foreign keys and constraints at every insert; SQLite only when asked."""
    from tests.conftest import make_app, migrate_and_sync

    postgres_server.create_database("silta_demo")
    app = make_app(postgres_server.url("silta_demo"))
    migrate_and_sync(app)
    with app.app_context():
        try:
            summary = seed_demo(db.session, {c: i.definition for c, i in registry.loaded().items()}, today=TODAY)
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(Contact)) == summary.contacts
        finally:
            db.session.remove()
            db.engine.dispose()  # no pooled connection may hold the database we drop
    postgres_server.drop_database("silta_demo")
