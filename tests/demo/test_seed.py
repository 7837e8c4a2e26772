"""The demo county: counts, the README logins, the programmes' rules and shares, appointments that nobody
double-books, determinism, idempotence. The seed always runs on a database the real migrations built,
so the database's own no-double-booking rule (a trigger here, an exclusion constraint on PostgreSQL)
checks every participant row as it is inserted."""

from __future__ import annotations

import re
import shutil
import statistics
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus, Participant, ParticipantRole
from tests.conftest import make_app

TODAY = date(2026, 11, 20)
HELSINKI = ZoneInfo("Europe/Helsinki")
LANSI_UUSIMAA = {"049", "078", "149", "224", "235", "257", "444", "710", "755", "927"}

# What the README promises for each demo login: account kind and staff roles.
EXPECTED_LOGINS = {
    "admin@silta.example": (AccountKind.STAFF, {Role.ADMIN}),
    "sanna.virtanen@silta.example": (AccountKind.STAFF, {Role.WORKER, Role.CARE_COORDINATOR}),
    "mikael.lindqvist@silta.example": (AccountKind.STAFF, {Role.WORKER, Role.TEAM_LEAD}),
    "marja.aaltonen@silta.example": (AccountKind.STAFF, {Role.SERVICE_MANAGER}),
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

    def appointments(self) -> list[Appointment]:
        return list(self.session.scalars(select(Appointment).order_by(Appointment.id)))


@contextmanager
def fresh_database(template, folder):
    """An app on a copy of the migrated SQLite template, with foreign keys enforced, as PostgreSQL would."""
    path = folder / "silta.sqlite3"
    shutil.copy(template, path)
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        event.listen(db.engine, "connect", lambda connection, _: connection.execute("PRAGMA foreign_keys = ON"))
        db.engine.dispose()  # every connection from here on is a new one, with the pragma
        try:
            yield db.session, {code: item.definition for code, item in registry.loaded().items()}
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def demo(sqlite_template, tmp_path_factory):
    with fresh_database(sqlite_template, tmp_path_factory.mktemp("demo")) as (session, definitions):
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
    assert 90 <= s.scalar(select(func.count()).select_from(Client)) == summary.clients <= 120
    logins = s.scalar(select(func.count()).where(Client.user_id.is_not(None)))
    assert summary.clients / 4 <= logins <= summary.clients / 2  # about a third, plus the fixed three
    assert summary.clients < summary.enrolments <= summary.clients + 6  # a few in two programmes
    assert s.scalar(select(func.count()).select_from(Contact)) == summary.contacts > 800
    assert set(s.scalars(select(Contact.enrolment_id))) == set(s.scalars(select(Enrolment.id)))
    assert s.scalar(select(func.count()).select_from(Appointment)) == summary.appointments > summary.contacts / 2
    assert sum(summary.appointments_by_status.values()) == summary.appointments
    assert set(summary.appointments_by_status) == {status.value for status in AppointmentStatus}
    assert summary.appointments_by_status["booked"] + summary.appointments_by_status["confirmed"] >= 30
    assert summary.municipalities == 16 and summary.units == 5
    assert summary.programmes_added == 0  # the migrated template has them already, as a started app does


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
        ahead = s.scalars(select(Appointment).join(Participant).where(
            Participant.client_id == enrolment.client_id, Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.starts_at >= datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=HELSINKI))).all()
        assert ahead, f"{enrolment.client.full_name} has no next meeting"


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
        past = [c for c in contacts if c.enrolment_id == enrolment.id]
        if days >= 28:
            assert 1.5 <= len(past) / days * 7 <= 3.5


def test_contacts_are_well_formed(demo):
    """Contacts are records of what happened: all before today; what lies ahead is only booked."""
    for contact in demo.session.scalars(select(Contact)):
        starts, ends = _local(contact.starts_at), _local(contact.ends_at)
        assert starts.weekday() < 5 and 8 <= starts.hour and ends <= starts.replace(hour=17, minute=0)
        assert ends > starts and starts.date() < TODAY
        assert (contact.duration_minutes is not None) == (contact.status is ContactStatus.HELD)
        if contact.status is ContactStatus.HELD:
            assert (ends - starts) == timedelta(minutes=contact.duration_minutes)
        enrolment = contact.enrolment
        assert enrolment.start_on <= starts.date() <= (enrolment.ended_on or TODAY)


def _by_role(appointment: Appointment, role: ParticipantRole) -> list[Participant]:
    return [p for p in appointment.participants if p.role is role]


def test_appointments_are_well_formed(demo):
    """Past appointments are held, cancelled or missed; from today on booked or confirmed; times as the records'."""
    records = {c.appointment_id: c for c in demo.session.scalars(select(Contact).where(
        Contact.appointment_id.is_not(None)))}
    travel = timedelta(minutes=30)
    for appointment in demo.appointments():
        starts = _local(appointment.starts_at)
        assert starts.weekday() < 5 and 8 <= starts.hour and _local(appointment.ends_at).hour < 17
        assert (starts.date() >= TODAY) == appointment.active
        cancelled = appointment.status is AppointmentStatus.CANCELLED
        assert (appointment.cancelled_at is not None) == cancelled == bool(appointment.cancel_reason)
        if cancelled:
            assert appointment.created_at <= appointment.cancelled_at <= appointment.starts_at
        assert appointment.created_at <= datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=HELSINKI)
        home = appointment.modality is Modality.HOME_VISIT
        assert appointment.travel_minutes == (30 if home else 0)
        [host] = _by_role(appointment, ParticipantRole.HOST)
        assert host.user_id == appointment.organizer_id and host.person_key == f"u:{host.user_id}"
        assert host.busy_from == appointment.starts_at - (travel if home else timedelta(0))
        assert host.busy_until == appointment.ends_at + (travel if home else timedelta(0))
        assert host.blocking is not cancelled
        clients = _by_role(appointment, ParticipantRole.CLIENT)
        assert clients and len(clients) + 1 == len(appointment.participants)
        for member in clients:
            assert member.person_key == f"c:{member.client_id}"
            assert (member.busy_from, member.busy_until) == (appointment.starts_at, appointment.ends_at)
            if cancelled:
                assert not member.blocking
        if appointment.enrolment_id is None:
            continue  # a closed group's session: see the next test
        assert [m.client_id for m in clients] == [appointment.enrolment.client_id]
        assert appointment.programme_code == appointment.enrolment.programme_code
        assert clients[0].blocking is not cancelled
        record = records.get(appointment.id)
        assert (record is None) == appointment.active, "a record for each past appointment, none ahead"
        if record is not None:
            assert (record.enrolment_id, record.worker_id, record.contact_type, record.modality, record.starts_at,
                    record.ends_at, record.status.value) == (
                appointment.enrolment_id, appointment.organizer_id, appointment.contact_type, appointment.modality,
                appointment.starts_at, appointment.ends_at, appointment.status.value)


def test_a_closed_group_meets_as_one_appointment(demo):
    """One appointment per session, with every member; each member's record stays unlinked (see history.py)."""
    sessions = [a for a in demo.appointments() if a.contact_type == "group-session"]
    assert sessions and all(a.programme_code == "intensive-rehabilitation" and a.enrolment_id is None
                            for a in sessions)
    assert max(len(a.participants) for a in sessions) >= 4  # a host and at least three members
    assert any(a.active for a in sessions) and any(a.status is AppointmentStatus.HELD for a in sessions)
    records = demo.session.scalars(select(Contact).where(Contact.contact_type == "group-session")).all()
    assert all(r.appointment_id is None for r in records)
    by_session = Counter((r.worker_id, r.starts_at, r.modality) for r in records)
    for appointment in sessions:
        members = {m.client_id for m in _by_role(appointment, ParticipantRole.CLIENT)}
        enrolled = set(demo.session.scalars(select(Enrolment.client_id).where(
            Enrolment.programme_code == appointment.programme_code, Enrolment.client_id.in_(members))))
        assert members == enrolled
        records_of = by_session.pop((appointment.organizer_id, appointment.starts_at, appointment.modality), 0)
        assert records_of == (0 if appointment.active else len(members))
    assert not by_session, "every member's record belongs to a session"


def test_nobody_is_double_booked(demo):
    """No two blocking rows of one person overlap: workers with their travel time, clients in two programmes."""
    rows = demo.session.execute(
        select(Participant.person_key, Participant.busy_from, Participant.busy_until)
        .where(Participant.blocking).order_by(Participant.person_key, Participant.busy_from)).all()
    by_person = defaultdict(list)
    for key, busy_from, busy_until in rows:
        by_person[key].append((busy_from, busy_until))
    assert any(key.startswith("u:") for key in by_person) and any(key.startswith("c:") for key in by_person)
    for key, spans in by_person.items():
        for earlier, later in zip(spans, spans[1:], strict=False):
            assert later[0] >= earlier[1], f"{key} is booked twice: {earlier} and {later}"
    shared = demo.session.scalars(select(Enrolment.client_id).group_by(Enrolment.client_id)
                                  .having(func.count() > 1)).all()
    assert shared and all(f"c:{client_id}" in by_person for client_id in shared)


def test_the_database_refuses_a_double_booking(demo):
    """The seed ran under the real rule: the migrated database refuses an overlapping blocking row."""
    taken = demo.session.scalars(select(Participant).where(
        Participant.blocking, Participant.person_key.like("u:%"))).first()
    other = demo.session.scalar(select(Appointment.id).where(Appointment.id != taken.appointment_id))
    with pytest.raises(IntegrityError), demo.session.begin_nested():
        demo.session.execute(insert(Participant).values(
            appointment_id=other, role=ParticipantRole.WORKER, user_id=taken.user_id, person_key=taken.person_key,
            busy_from=taken.busy_from, busy_until=taken.busy_until, blocking=True))


def test_no_audit_records_are_written(demo):
    assert demo.session.scalar(select(func.count()).select_from(AuditRecord)) == 0


TABLES = (User, Client, Enrolment, Contact, Appointment, Participant)


def test_a_second_run_changes_nothing(demo):
    s = demo.session
    before = [s.scalar(select(func.count()).select_from(t)) for t in TABLES]
    again = seed_demo(s, demo.definitions, seed=2026, today=TODAY)
    s.flush()
    assert again == DemoSummary(created=False)
    assert not s.new and not s.dirty
    assert [s.scalar(select(func.count()).select_from(t)) for t in TABLES] == before


def _fingerprint(session: Session) -> tuple:
    names = session.execute(select(Client.first_name, Client.last_name, Client.birth_year).order_by(Client.id)).all()
    contacts = session.execute(
        select(Contact.enrolment_id, Contact.appointment_id, Contact.contact_type, Contact.modality, Contact.status,
               Contact.starts_at).order_by(Contact.id)).all()
    appointments = session.execute(
        select(Appointment.enrolment_id, Appointment.contact_type, Appointment.modality, Appointment.status,
               Appointment.starts_at, Appointment.cancel_reason).order_by(Appointment.id)).all()
    participants = session.execute(
        select(Participant.appointment_id, Participant.person_key, Participant.blocking).order_by(Participant.id)).all()
    return [tuple(n) for n in names], [tuple(r) for rows in (contacts, appointments, participants) for r in rows]


def test_the_same_seed_and_day_give_the_same_county(demo, sqlite_template, tmp_path):
    with fresh_database(sqlite_template, tmp_path) as (session, definitions):
        assert seed_demo(session, definitions, seed=2026, today=TODAY).created
        session.flush()
        names, rows = _fingerprint(session)
    assert len(names) == demo.summary.clients
    assert len(rows) > demo.summary.contacts + demo.summary.appointments
    assert (names, rows) == demo.fingerprint


def test_another_seed_gives_another_county(demo, sqlite_template, tmp_path):
    with fresh_database(sqlite_template, tmp_path) as (session, definitions):
        assert seed_demo(session, definitions, seed=7, today=TODAY).created
        session.flush()
        names, _ = _fingerprint(session)
    assert names != demo.fingerprint[0]


@pytest.mark.postgres
def test_seeds_postgresql(postgres_server):
    """PostgreSQL checks every insert against the exclusion constraint (and foreign keys, always)."""
    from tests.conftest import migrate_and_sync

    postgres_server.create_database("silta_demo")
    app = make_app(postgres_server.url("silta_demo"))
    migrate_and_sync(app)
    with app.app_context():
        try:
            exclusion = db.session.scalar(text(
                "SELECT count(*) FROM pg_constraint WHERE conname = 'xc_appointment_participants_no_overlap'"))
            assert exclusion == 1
            summary = seed_demo(db.session, {c: i.definition for c, i in registry.loaded().items()}, today=TODAY)
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(Contact)) == summary.contacts
            assert db.session.scalar(select(func.count()).select_from(Appointment)) == summary.appointments
        finally:
            db.session.remove()
            db.engine.dispose()  # no pooled connection may hold the database we drop
    postgres_server.drop_database("silta_demo")


def test_the_demo_tells_the_truth(demo):
    """Issue 18: no plan before PPT's planning phase, nothing sent or agreed after the demo's day began, and
    the health social work unit has clients in service on the day."""
    from datetime import time

    from portal.intake.models import Decision
    from portal.measures.models import Answer
    from portal.messages.models import Message
    from portal.plans.models import Goal, Plan, PlanVersion
    from portal.referrals.models import Referral

    s = demo.session
    in_referral = [e.id for e in demo.enrolments("many-services") if e.phase == "referral"]
    assert in_referral
    # No agreed plan and no goals before phase 2; phase 1's preliminary estimate (made with the client) may be there.
    assert not s.scalar(select(func.count()).select_from(PlanVersion).join(Plan).where(
        Plan.enrolment_id.in_(in_referral)))
    assert not s.scalar(select(func.count()).select_from(Goal).join(Plan).where(Plan.enrolment_id.in_(in_referral)))
    began = datetime.combine(TODAY, time(0), tzinfo=HELSINKI)
    for column in (Referral.created_at, Message.created_at, Plan.created_at, Goal.created_at, PlanVersion.agreed_at,
                   Decision.drafted_at, Decision.signed_at, Answer.submitted_at):
        assert not s.scalar(select(func.count()).where(column > began)), column
    ongoing = [e for e in demo.enrolments("health-social-work") if e.status is EnrolmentStatus.ACTIVE]
    assert len(ongoing) >= 3


def test_sap_is_chaired_by_the_service_unit_manager_and_attendance_is_recorded(demo):
    """Seed 001: the palveluyksikköpäällikkö chairs, with the lead social worker and the clients' workers; clients
    whose service need changes come to SAP too."""
    from portal.intake.models import AgendaReason, DecisionMeeting, DecisionMeetingItem, MeetingCapacity

    s = demo.session
    began = datetime.combine(TODAY, time(0), tzinfo=HELSINKI)
    meetings = s.scalars(select(DecisionMeeting)).all()
    assert meetings and all(Role.SERVICE_MANAGER in m.chair.role_set for m in meetings)
    held = [m for m in meetings if m.starts_at < began and m.items]
    assert held and all(m.attendees for m in held)
    for meeting in held:
        capacities = {a.user_id: a.capacity for a in meeting.attendees}
        assert capacities[meeting.chair_id] is MeetingCapacity.chair
        assert MeetingCapacity.lead_social_worker in capacities.values()
        assert {i.worker_id for i in meeting.items} <= set(capacities)
    assert not any(m.attendees for m in meetings if m.starts_at >= began)
    changed = s.scalars(select(DecisionMeetingItem).where(
        DecisionMeetingItem.reason == AgendaReason.changed_need)).all()
    assert changed and all(i.meeting.starts_at > began and i.outcome is None for i in changed)
    assert all(i.enrolment.phase in ("queue", "placed") for i in changed)


def test_assessments_are_structured_and_include_the_clients_view(demo):
    from portal.intake.areas import DEFAULT_DIR, load
    from portal.intake.models import Assessment

    codes = {area.code for area in load(DEFAULT_DIR)}
    started = demo.session.scalars(select(Assessment).where(Assessment.started_on.is_not(None))).all()
    assert started and all({a.area_code for a in row.areas} == codes for row in started)
    assert all(a.client_view and a.worker_view for row in started for a in row.areas)
    assert all(row.client_summary for row in started if row.completed_on)
    assert not any(row.areas or row.client_summary for row in demo.session.scalars(
        select(Assessment).where(Assessment.started_on.is_(None))))


def test_ppt_phase_one_estimates_are_made_before_today(demo):
    from portal.plans.models import Plan

    ppt = demo.enrolments("many-services")
    plans = {p.enrolment_id: p for p in demo.session.scalars(select(Plan).where(
        Plan.enrolment_id.in_([e.id for e in ppt])))}
    estimated = [p for p in plans.values() if p.estimated_on is not None]
    assert len(estimated) >= len(ppt) // 2
    assert all(p.estimated_on < TODAY and 1 <= p.estimate_months <= 60 for p in estimated)
    in_referral = [e for e in ppt if e.phase == "referral"]
    assert any(e.id not in plans or plans[e.id].estimated_on is None for e in in_referral)  # Sanna's walk-through


def test_the_clients_network_is_recorded_with_consent(demo):
    from portal.network.models import NetworkContact, NetworkRole

    s = demo.session
    rows = s.scalars(select(NetworkContact)).all()
    assert {NetworkRole.CLIENT_COORDINATOR, NetworkRole.SOCIAL_WELFARE_WORKER, NetworkRole.DOCTOR,
            NetworkRole.PHARMACY} <= {r.role for r in rows}
    assert any(not r.consent_to_contact for r in rows) and any(r.shown_to_client for r in rows)
    began = datetime.combine(TODAY, time(0), tzinfo=HELSINKI)
    assert all(r.created_at < began for r in rows)
    aino = s.scalar(select(Client).join(User, Client.user_id == User.id).where(
        User.email == "asiakas.aino@silta.example"))
    assert any(r.shown_to_client for r in rows if r.client_id == aino.id)
