"""How fast are the duplicate checks of client registration at county scale? ``python -m bench.clients``

Starts a scratch PostgreSQL (tests/support/services.py), migrates it, and bulk-inserts CLIENTS clients
(Finnish-looking names from small lists, so names repeat as they do; half with an identity code's keyed
hash) in 20 units. Then it times, RUNS runs each after one warm-up:

(a) parsing and hashing one identity code (identity.parse + identity_hash);
(b) possible_duplicates with an identity code that is registered (the unique hash index);
(c) possible_duplicates by name and birth year (no code: the path every code-less registration takes);
(d) registered_clients: a worker's "find a client" search by a name fragment.

It prints the median and the 90th percentile in milliseconds and stops PostgreSQL however it ends.
"""

from __future__ import annotations

import random
import statistics
import time as clock

from sqlalchemy import insert, text

from bench.scratch import postgres_app
from portal.auth.models import AccountKind, Role, User, UserRole
from portal.db import utcnow
from portal.extensions import db
from portal.people import identity
from portal.people.models import Client, ClientUnit, Municipality, OrgUnit, UnitMembership
from portal.people.queries import possible_duplicates, registered_clients

CLIENTS = 100_000
UNITS = 20
RUNS = 50
FIRST = ["Aino", "Matti", "Liisa", "Juha", "Elina", "Mikko", "Sanna", "Timo", "Anna", "Jari", "Maria", "Pekka",
         "Laura", "Antti", "Helena", "Ville", "Kaisa", "Jussi", "Emma", "Olli"]
LAST = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen",
        "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Heikkilä", "Kinnunen",
        "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila",
        "Savolainen", "Lahtinen", "Ahonen"]


def _code(rng: random.Random, year: int) -> str:
    ddmmyy = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{year % 100:02d}"
    individual = f"{rng.randint(2, 899):03d}"
    sign = "-" if year < 2000 else "A"
    return f"{ddmmyy}{sign}{individual}{identity.CHECK_CHARACTERS[int(ddmmyy + individual) % 31]}"


def _fill(rng: random.Random) -> tuple[User, list[str], list[tuple[str, str, int]]]:
    db.session.add(Municipality(code="091", name_fi="Helsinki", name_sv="Helsingfors"))
    units = [OrgUnit(code=f"u{n}", name_fi=f"Yksikkö {n}", name_sv=f"Enhet {n}", name_en=f"Unit {n}",
                     county="Bench") for n in range(UNITS)]
    worker = User(kind=AccountKind.STAFF, email="worker@bench.example", display_name="Worker",
                  roles=[UserRole(role=Role.WORKER)])
    db.session.add_all([*units, worker])
    db.session.flush()
    db.session.add(UnitMembership(unit_id=units[0].id, user_id=worker.id))
    rows, links, codes, people = [], [], [], []
    now = utcnow()
    seen: set[str] = set()
    for n in range(1, CLIENTS + 1):
        year = rng.randint(1940, 2006)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        digest = None
        if n % 2:
            code = _code(rng, year)
            digest = identity.identity_hash(code)
            if digest in seen:
                digest = None
            else:
                seen.add(digest)
                codes.append(code)
        rows.append(dict(id=n, first_name=first, last_name=last, birth_year=year, gender="unknown",
                         municipality_code="091", language="fi", identity_hash=digest, preferred_channel="sms",
                         pensioner=False, social_welfare_client=False, preferred_weekdays=[],
                         preferred_day_parts=[]))
        links.append(dict(client_id=n, unit_id=units[n % UNITS].id, added_at=now))
        people.append((first, last, year))
    db.session.execute(insert(Client.__table__), rows)
    db.session.execute(insert(ClientUnit.__table__), links)
    db.session.execute(text("SELECT setval(pg_get_serial_sequence('clients', 'id'), max(id)) FROM clients"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return worker, codes, people


def _time(label: str, run) -> None:
    run(0)
    times = []
    for n in range(1, RUNS + 1):
        began = clock.perf_counter()
        run(n)
        times.append((clock.perf_counter() - began) * 1000)
    times.sort()
    print(f"{label:<58} median {statistics.median(times):6.2f} ms   p90 {times[int(len(times) * 0.9) - 1]:6.2f} ms")


def main() -> None:
    began = clock.perf_counter()
    with postgres_app() as app:
        with app.app_context():
            rng = random.Random(2026)
            worker, codes, people = _fill(rng)
            version = db.session.execute(text("SHOW server_version")).scalar()
            print(f"PostgreSQL {version}: {CLIENTS} clients in {UNITS} units, {len(codes)} with an identity "
                  f"code (setup {clock.perf_counter() - began:.1f} s)")
            _time("(a) parse and hash an identity code", lambda n: identity.identity_hash(codes[n]))
            _time("(b) duplicates by identity code (registered)",
                  lambda n: possible_duplicates("X", "Y", 1990, identity.identity_hash(codes[n])))
            _time("(c) duplicates by name and birth year (no code)",
                  lambda n: possible_duplicates(people[n * 7][0], people[n * 7][1], people[n * 7][2], None))
            _time("(d) find a client: name fragment in the worker's unit",
                  lambda n: registered_clients(worker, LAST[n % len(LAST)][:4]))
            matches = len(possible_duplicates(people[7][0], people[7][1], people[7][2], None))
            print(f"(c) returns {matches} candidate(s) for a typical name and year")
            print(db.session.execute(text(
                "EXPLAIN SELECT * FROM clients WHERE lower(first_name) = 'aino' AND lower(last_name) = 'laine' "
                "AND birth_year = 1980")).scalars().all()[0])
            db.session.remove()
            db.engine.dispose()
    print(f"total {clock.perf_counter() - began:.1f} s; PostgreSQL stopped")


if __name__ == "__main__":
    main()
