"""How long does the hourly questionnaire-reminder scan take at county scale? ``python -m bench.measures``

Fills a fresh database with ENROLMENTS active enrolments (half remote guidance: ORS/SRS and the yearly
survey; half intensive rehabilitation: 3X10D and feedback periods), started over the last 400 days,
a phone or video meeting in the past week for a third of the remote-guidance ones, and some answers
already given. Then it times, RUNS times each after one warm-up, on SQLite and on a scratch PostgreSQL:

(a) before: the scan as it was — a loop over the active enrolments, the due items of each one
    (queries.due_for_enrolment: its meetings, its answers, its appointments, one by one);
(b) after: reminders.due_reminders, the set-based scan (four queries for all enrolments);

checks that both find the same reminders, and then times one whole hourly run
(queue_questionnaire_reminders) twice: the first queues every message, the second finds none left.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time as clock
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from portal.auth.models import AccountKind, User
from portal.extensions import db
from portal.measures import operations, queries, reminders
from portal.measures.models import Answer, AnswerStatus
from portal.people.models import Client, ClientLanguage, ContactChannel, Gender, Municipality, OrgUnit
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import Appointment, AppointmentStatus
from portal.scheduling.timeutil import local
from tests.conftest import make_app, migrate_and_sync
from tests.support.services import start_postgres

ENROLMENTS = 5_000
RUNS = 5
TODAY = date(2026, 11, 10)  # the yearly survey (November) and many 3X10D points are open
NOW = local(TODAY, time(10, 0))  # a scan hour


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="silta-bench-") as scratch:
        _bench("SQLite", f"sqlite:///{Path(scratch) / 'bench.sqlite3'}")
        server = start_postgres(Path(scratch))
        try:
            server.create_database("bench")
            _bench("PostgreSQL", server.url("bench"))
        finally:
            server.stop()


def _bench(name: str, url: str) -> None:
    began = clock.perf_counter()
    app = make_app(url)
    migrate_and_sync(app)
    with app.app_context():
        _fill(random.Random(2026))
        print(f"{name}: {ENROLMENTS} active enrolments (setup {clock.perf_counter() - began:.1f} s)")
        before = _time("(a) before: a loop over enrolments", lambda: _per_enrolment_scan(NOW))
        after = _time("(b) after: set-based due_reminders", lambda: reminders.due_reminders(NOW))
        found = {(r.enrolment_id, r.occurrence.instrument, r.occurrence.key) for r in after}
        if found != set(before):
            sys.exit(f"the scans disagree: {len(found ^ set(before))} reminders differ")
        print(f"    both find the same {len(found)} reminders")
        for label in ("first hourly run (queues them)", "next hourly run (nothing new)"):
            started = clock.perf_counter()
            queued = reminders.queue_questionnaire_reminders(NOW)
            db.session.commit()
            print(f"(c) {label}: {queued} queued in {(clock.perf_counter() - started) * 1000:.0f} ms")
        db.session.remove()
        db.engine.dispose()


def _per_enrolment_scan(now) -> list[tuple[int, str, str]]:
    """The scan before it became set-based (portal/measures/reminders.py until this bench), kept as the
    reference: the same reminders, found one enrolment at a time."""
    codes = [code for code, loaded in registry.loaded().items()
             if loaded.definition.measures or loaded.definition.feedback]
    found = []
    for enrolment in db.session.scalars(select(Enrolment).where(
            Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.programme_code.in_(codes))):
        for item in queries.due_for_enrolment(enrolment, now):
            occurrence = item.occurrence
            if occurrence.instrument == "ors":
                continue
            if occurrence.instrument == "srs":
                appointment = db.session.get(Appointment, occurrence.appointment_id)
                if appointment.modality is Modality.VIDEO or appointment.ends_at > now:
                    continue
            found.append((enrolment.id, occurrence.instrument, occurrence.key))
    return found


def _fill(rng: random.Random) -> None:
    if db.session.get(Municipality, "091") is None:
        db.session.add(Municipality(code="091", name_fi="Helsinki", name_sv="Helsingfors"))
    worker = User(kind=AccountKind.STAFF, email="worker@bench.example", display_name="Worker")
    unit = OrgUnit(code="bench", name_fi="Yksikkö", name_sv="Enhet", name_en="Unit", county="Bench")
    db.session.add_all([worker, unit])
    db.session.flush()
    clients = db.session.scalars(insert(Client).returning(Client.id), [dict(
        first_name="Asiakas", last_name=str(n), birth_year=1990, gender=Gender.FEMALE, municipality_code="091",
        language=ClientLanguage.FI, phone="+358401234567", preferred_channel=ContactChannel.SMS)
        for n in range(ENROLMENTS)]).all()
    rows = [dict(client_id=c, programme_code="remote-guidance" if n % 2 else "intensive-rehabilitation",
                 unit_id=unit.id, status=EnrolmentStatus.ACTIVE, start_on=TODAY - timedelta(days=rng.randint(0, 400)),
                 phase="service-delivery", coordinator_id=worker.id) for n, c in enumerate(clients)]
    enrolments = db.session.scalars(insert(Enrolment).returning(Enrolment.id), rows).all()
    _meetings_and_answers(rng, worker.id, list(zip(enrolments, clients, rows, strict=True)))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _meetings_and_answers(rng: random.Random, worker_id: int, enrolled: list) -> None:
    ors, srs, tenx = (operations.instrument_version(code) for code in ("ors", "srs", "3x10d"))
    answers = []
    for enrolment_id, client_id, row in enrolled:
        common = dict(enrolment_id=enrolment_id, client_id=client_id, status=AnswerStatus.SUBMITTED,
                      submitted_at=NOW - timedelta(days=1), answered_on=NOW - timedelta(days=1), values={})
        if row["programme_code"] == "intensive-rehabilitation":
            if rng.random() < 0.5:
                answers.append(common | dict(instrument_id=tenx.id, instrument_code="3x10d", occurrence="start"))
            continue
        if rng.random() < 1 / 3:
            ends = NOW - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
            appointment_id = db.session.scalar(insert(Appointment).returning(Appointment.id), [dict(
                programme_code="remote-guidance", enrolment_id=enrolment_id, contact_type="guidance-meeting",
                modality=rng.choice([Modality.PHONE, Modality.VIDEO]), status=AppointmentStatus.HELD,
                starts_at=ends - timedelta(minutes=45), ends_at=ends, organizer_id=worker_id)])
            answers.append(common | dict(instrument_id=ors.id, instrument_code="ors",
                                         occurrence=f"appt-{appointment_id}", appointment_id=appointment_id))
            if rng.random() < 0.5:
                answers.append(common | dict(instrument_id=srs.id, instrument_code="srs",
                                             occurrence=f"appt-{appointment_id}", appointment_id=appointment_id))
    db.session.execute(insert(Answer), answers)


def _time(label: str, call):
    """Median of RUNS timed calls after one warm-up, each in a fresh transaction with an empty session."""
    result = call()
    db.session.rollback()
    samples = []
    for _ in range(RUNS):
        db.session.expunge_all()
        started = clock.perf_counter()
        result = call()
        samples.append((clock.perf_counter() - started) * 1000)
        db.session.rollback()
    print(f"{label}: median {statistics.median(samples):.0f} ms (min {min(samples):.0f}, max {max(samples):.0f})")
    return result


if __name__ == "__main__":
    main()
