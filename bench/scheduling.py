"""How fast is finding free time at county scale? ``python -m bench.scheduling``

Starts a scratch PostgreSQL (tests/support/services.py), migrates it, and fills it with a team of
10 workers who each have 1 000 appointments spread over a year of working days (half behind, half
ahead of today; four contacts a day, some home visits with travel time), their clients, a few
absences and part-time hours. Then it times, 20 runs each after one warm-up:

(a) find_slots for 3 workers and a client over the next 4 weeks;
(b) plan_series for a 26-week series of three contacts a week with the same people;
(c) booking such a series for real (plan_series + book_series: rules, inserts, audit records, the
    database's no-double-booking check) for one of the workers and a new client; each run rolls back.

It prints the median and the 90th percentile in milliseconds against the 200 ms target, and stops
PostgreSQL however it ends.

``--busy N`` makes the machine busy on purpose and the same way each time: N processes that only burn
CPU run from the start to the end (the load average settles near the cores' work + N; on this 2-core
machine ``--busy 2`` gives about 4 on its own), and the measuring waits until the 1-minute load
average has had a minute to see them. ``--sqlite`` runs the same on a scratch SQLite file (the
embedded default) instead of PostgreSQL. ``--repeat K`` times the series booking K times over (the
spread between rounds is part of the answer on a shared machine).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import tempfile
import time as clock
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import event, insert, select, text

from bench.scratch import postgres_app
from portal.auth.models import AccountKind, User
from portal.extensions import db
from portal.people.models import Client, ClientLanguage, Gender, Municipality, OrgUnit
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling.availability import find_slots, plan_series
from portal.scheduling.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    Participant,
    ParticipantRole,
    WorkingHours,
)
from portal.scheduling.operations import BookingRequest, book_series
from portal.scheduling.timeutil import HELSINKI, days, is_holiday, local, local_date
from tests.conftest import make_app, migrate_and_sync

WORKERS = 10
APPOINTMENTS_PER_WORKER = 1_000
CLIENTS_PER_WORKER = 25
RUNS = 20
TARGET_MS = 200.0
# Four of these five daily starts are booked: with at most 60 minutes and 15 minutes of travel on
# each side, a worker's busy intervals never overlap, so the exclusion constraint accepts them all.
DAY_STARTS = [time(8), time(9, 30), time(11), time(12, 30), time(14)]


SETTLE_SECONDS = 60.0  # the 1-minute load average needs about this long to show the busy processes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="run N CPU-burning processes for the whole run (a controlled busy machine)")
    parser.add_argument("--sqlite", action="store_true", help="a scratch SQLite file instead of PostgreSQL")
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help="time the series booking K times")
    args = parser.parse_args(argv)
    began = clock.perf_counter()
    with _busy(args.busy), (_sqlite_app() if args.sqlite else postgres_app()) as app:
        with app.app_context():
            version = _version()
            rng = random.Random(2026)
            today = local_date(datetime.now(UTC))
            workers, clients = _people(rng)
            made = _appointments(rng, workers, clients, today - timedelta(days=182))
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            print(f"{version}: {len(workers)} workers, {sum(map(len, clients.values()))} clients, "
                  f"{made} appointments (setup {clock.perf_counter() - began:.1f} s)")
            if args.busy:
                clock.sleep(max(0.0, SETTLE_SECONDS - (clock.perf_counter() - began)))
            print(f"{os.cpu_count()} cores, {args.busy} busy processes; load average {_load()}", flush=True)
            _run_benchmarks(workers, clients, today, args.repeat)
            db.session.remove()
            db.engine.dispose()
    print(f"total {clock.perf_counter() - began:.1f} s; database stopped, busy processes ended; "
          f"load average {_load()}")


def _burn() -> None:
    while True:
        pass


@contextmanager
def _busy(n: int):
    """N processes burning CPU while the block runs; ended (terminate, join) however it ends."""
    burners = [multiprocessing.Process(target=_burn, daemon=True, name=f"bench-busy-{i}") for i in range(n)]
    for burner in burners:
        burner.start()
    try:
        yield
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            burner.join()


@contextmanager
def _sqlite_app():
    with tempfile.TemporaryDirectory(prefix="silta-bench-") as scratch:
        app = make_app(f"sqlite:///{scratch}/bench.db")
        migrate_and_sync(app)
        yield app


def _version() -> str:
    if db.engine.dialect.name == "sqlite":
        return "SQLite " + db.session.execute(text("SELECT sqlite_version()")).scalar()
    return "PostgreSQL " + db.session.execute(text("SHOW server_version")).scalar()


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _people(rng: random.Random) -> tuple[list[int], dict[int, list[int]]]:
    """Workers (a few part-time, each with a week of absence) and each worker's own clients."""
    if db.session.get(Municipality, "091") is None:
        db.session.add(Municipality(code="091", name_fi="Helsinki", name_sv="Helsingfors"))
    staff = [User(kind=AccountKind.STAFF, email=f"worker{n}@bench.example", display_name=f"Worker {n}")
             for n in range(WORKERS)]
    db.session.add_all(staff)
    db.session.flush()
    workers = [u.id for u in staff]
    clients: dict[int, list[int]] = {}
    for worker_id in workers:
        rows = [Client(first_name="Asiakas", last_name=f"{worker_id}-{n}", birth_year=rng.randint(1950, 2005),
                       gender=Gender.OTHER if n % 7 == 0 else Gender.FEMALE, municipality_code="091",
                       language=ClientLanguage.FI) for n in range(CLIENTS_PER_WORKER)]
        db.session.add_all(rows)
        db.session.flush()
        clients[worker_id] = [c.id for c in rows]
    for worker_id in workers[::4]:  # every fourth works Monday to Thursday, 9–17
        db.session.add_all(WorkingHours(user_id=worker_id, weekday=d, starts=time(9), ends=time(17)) for d in range(4))
    return workers, clients


def _appointments(rng: random.Random, workers: list[int], clients: dict[int, list[int]], first_day: date) -> int:
    """Bulk-insert each worker's year: four contacts on every working day until they have 1 000."""
    workdays = [d for d in days(first_day, first_day + timedelta(days=400)) if d.weekday() < 5 and not is_holiday(d)]
    appointments: list[dict] = []
    participants: list[dict] = []
    for worker_id in workers:
        for day in workdays[: APPOINTMENTS_PER_WORKER // 4]:
            for start in sorted(rng.sample(DAY_STARTS, 4)):
                _one(rng, len(appointments) + 1, worker_id, rng.choice(clients[worker_id]), local(day, start),
                     appointments, participants)
        away = rng.choice(workdays[130:240])  # a week's absence somewhere in the coming months
        db.session.add(Absence(user_id=worker_id, starts_at=local(away, time(0)),
                               ends_at=local(away + timedelta(days=7), time(0)), reason="vuosiloma"))
    db.session.execute(insert(Appointment.__table__), appointments)
    db.session.execute(insert(Participant.__table__), participants)
    if db.engine.dialect.name == "postgresql":  # SQLite's rowids follow the largest id by themselves
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('appointments', 'id'), max(id)) "
                                "FROM appointments"))
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('appointment_participants', 'id'), max(id)) "
                                "FROM appointment_participants"))
    db.session.commit()
    return len(appointments)


def _one(rng: random.Random, appointment_id: int, worker_id: int, client_id: int, starts_at: datetime,
         appointments: list[dict], participants: list[dict]) -> None:
    home = rng.random() < 0.3
    travel = 15 if home else 0
    ends_at = starts_at + timedelta(minutes=rng.choice([45, 60]))
    appointments.append(dict(
        id=appointment_id, programme_code="remote-guidance", contact_type="guidance-meeting",
        modality=Modality.HOME_VISIT if home else Modality.VIDEO, status=AppointmentStatus.BOOKED,
        starts_at=starts_at, ends_at=ends_at, travel_minutes=travel, organizer_id=worker_id, created_at=starts_at,
    ))
    pad = timedelta(minutes=travel)
    base = dict(appointment_id=appointment_id, guest_name=None, blocking=True)
    participants.append(base | dict(id=2 * appointment_id - 1, role=ParticipantRole.HOST, user_id=worker_id,
                                    client_id=None, person_key=f"u:{worker_id}", busy_from=starts_at - pad,
                                    busy_until=ends_at + pad))
    participants.append(base | dict(id=2 * appointment_id, role=ParticipantRole.CLIENT, user_id=None,
                                    client_id=client_id, person_key=f"c:{client_id}", busy_from=starts_at,
                                    busy_until=ends_at))


def _run_benchmarks(workers: list[int], clients: dict[int, list[int]], today: date, repeat: int = 1) -> None:
    team, client_id = workers[:3], clients[workers[0]][0]
    now = datetime.now(UTC)
    slots = _time("(a) find_slots: 3 workers + client, next 4 weeks, 60 min",
                  lambda: find_slots(team, client_id, 60, now, now + timedelta(weeks=4)))
    first = ", ".join(s.astimezone(HELSINKI).strftime("%a %d.%m. %H:%M") for s in slots[:3])
    print(f"    {len(slots)} slots found, the first {first} (Helsinki)")
    monday = today + timedelta(days=7 - today.weekday())
    pattern = [(0, time(10)), (2, time(13)), (4, time(9))]
    plan = _time("(b) plan_series: 26 weeks × 3 contacts, 3 workers + client",
                 lambda: plan_series(team, client_id, 60, local(monday, time(10)), pattern, weeks=26))
    reasons: dict[str, int] = {}
    for occurrence in plan.conflicting:
        for conflict in occurrence.conflicts:
            reasons[conflict.reason.value] = reasons.get(conflict.reason.value, 0) + 1
    print(f"    {len(plan.occurrences)} contacts: {len(plan.free)} free, {len(plan.conflicting)} with conflicts "
          f"{dict(sorted(reasons.items()))}")
    _bench_series_booking(workers[0], monday, repeat)


def _bench_series_booking(worker_id: int, monday: date, repeat: int = 1) -> None:
    """(c): a new client of one busy worker, three contacts a week for 26 weeks, booked for real."""
    worker = db.session.get(User, worker_id)
    enrolment = _new_enrolment(worker)
    db.session.commit()
    pattern = [(0, time(15, 30)), (2, time(15, 30)), (4, time(8, 0))]
    request = BookingRequest(enrolment=enrolment, contact_type="coordinator-meeting", modality=Modality.VIDEO,
                             starts_at=local(monday, time(15, 30)), minutes=30)

    def book_whole_series():
        plan = plan_series([worker_id], enrolment.client_id, 30, request.starts_at, pattern, weeks=26)
        result = book_series(worker, request, plan)
        db.session.flush()
        return result

    for _round in range(repeat):
        result = _time("(c) book a 26-week series of 3 a week for real, 1 worker + new client", book_whole_series)
    booked = sum(1 for o in result.outcomes if o.appointment is not None)
    print(f"    {booked} of {len(result.outcomes)} contacts booked, the rest reported with their reasons; "
          f"{_statements(book_whole_series)} SQL statements per booking")


def _statements(call) -> int:
    """How many statements one call sends (savepoints included), counted on the connection; rolled back."""
    count = [0]

    def counted(*_args):
        count[0] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
        db.session.rollback()
    return count[0]


def _new_enrolment(worker: User) -> Enrolment:
    municipality = db.session.scalar(select(Municipality).limit(1))
    unit = OrgUnit(code="bench-unit", name_fi="Yksikkö", name_sv="Enhet", name_en="Unit", county="Bench",
                   municipalities=[municipality])
    client = Client(first_name="Uusi", last_name="Asiakas", birth_year=1980, gender=Gender.FEMALE,
                    municipality_code=municipality.code, language=ClientLanguage.FI)
    enrolment = Enrolment(client=client, programme_code="many-services", unit=unit, start_on=date.today(),
                          phase="service-delivery", coordinator=worker)
    db.session.add(enrolment)
    return enrolment


def _time(label: str, call):
    """Median and 90th percentile of RUNS timed calls (after one warm-up), each in a fresh transaction."""
    result = call()
    db.session.rollback()
    samples = []
    for _ in range(RUNS):
        started = clock.perf_counter()
        result = call()
        samples.append((clock.perf_counter() - started) * 1000)
        db.session.rollback()  # as a request would: its transaction ends, the connection goes back
    median, p90 = statistics.median(samples), statistics.quantiles(samples, n=10)[-1]
    verdict = "under" if p90 < TARGET_MS else "OVER"
    print(f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms, max {max(samples):.1f} ms — {verdict} the "
          f"{TARGET_MS:.0f} ms target (load average {_load()})", flush=True)
    return result


if __name__ == "__main__":
    main()
