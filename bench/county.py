"""A county-scale data set for the report benchmark: ``python -m bench.county [--scale 1.0] [--database-url …]``

At scale 1.0: 100 000 clients, about 120 000 enrolments, 1 000 000 contacts (the meetings every figure
counts), an appointment behind each held remote-guidance contact (FIT answers point at appointments),
300 000 questionnaire answers (ORS and SRS around those meetings, 3X10D at the start, at six months or at
the end of intensive rehabilitation, written feedback, the yearly satisfaction survey), phase transitions
for every enrolment that moved on, and PPT plans with agreed versions and continuation plans.

Everything is set-based SQL (``INSERT … SELECT generate_series``) on PostgreSQL, seeded with
``setseed`` so a scale always gives the same rows; the schema comes from the real migrations. The shares
follow the seeds: remote guidance (000) over 70 % remote, health social work (004) 80 % by phone and a
quarter served in a single contact, intensive rehabilitation (002) young adults, several contacts a week
for at most six months.
"""

from __future__ import annotations

import argparse
import re
import time as clock
from dataclasses import dataclass

from sqlalchemy import text

from portal.extensions import db
from portal.measures.operations import instrument_version

CLIENTS = 100_000
CONTACTS = 1_000_000
ANSWERS = 300_000
INSTRUMENTS = ("ors", "srs", "3x10d", "written-feedback", "satisfaction-survey")

# Municipalities of the seeds' regions (Statistics Finland codes), with a weight for their population.
MUNICIPALITIES = [
    ("091", "Helsinki", "Helsingfors", 30), ("049", "Espoo", "Esbo", 14), ("092", "Vantaa", "Vanda", 12),
    ("235", "Kauniainen", "Grankulla", 1), ("257", "Kirkkonummi", "Kyrkslätt", 3), ("444", "Lohja", "Lojo", 3),
    ("927", "Vihti", "Vichtis", 2), ("710", "Raasepori", "Raseborg", 2), ("078", "Hanko", "Hangö", 1),
    ("224", "Karkkila", "Högfors", 1), ("755", "Siuntio", "Sjundeå", 1), ("149", "Inkoo", "Ingå", 1),
    ("398", "Lahti", "Lahtis", 8), ("098", "Hollola", "Hollola", 2), ("016", "Asikkala", "Asikkala", 1),
    ("111", "Heinola", "Heinola", 1), ("491", "Mikkeli", "S:t Michel", 5), ("623", "Puumala", "Puumala", 1),
]

# Programme, its seed's weight of clients, its phases in order, and two units that run it.
PROGRAMMES = [
    ("remote-guidance", 25, ["start", "guidance", "closing"]),
    ("housing-guidance", 12, ["intake", "assessment", "decision", "queue", "placed"]),
    ("intensive-rehabilitation", 13, ["start", "intensive", "ending"]),
    ("many-services", 15, ["referral", "assessment-planning", "service-delivery", "continuation"]),
    ("health-social-work", 35, ["referred", "working"]),
]


@dataclass(frozen=True)
class Sizes:
    clients: int
    contacts: int
    answers: int
    workers: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(clients=max(50, round(CLIENTS * scale)), contacts=max(500, round(CONTACTS * scale)),
                   answers=max(150, round(ANSWERS * scale)), workers=max(10, round(600 * scale)))


def generate(scale: float = 1.0, *, verbose: bool = True) -> dict[str, int]:
    """Fill the app's (migrated, empty of bench rows) PostgreSQL database; returns the row counts."""
    sizes = Sizes.at(scale)
    began = clock.perf_counter()
    for code in INSTRUMENTS:  # the same rows the app makes on first use
        instrument_version(code)
    db.session.commit()
    params = {"clients": sizes.clients, "contacts": sizes.contacts, "answers": sizes.answers,
              "workers": sizes.workers}
    # One connection throughout: the steps share temporary tables.
    with db.engine.connect() as connection:
        for label, step in _steps():
            step_began = clock.perf_counter()
            for statement in re.split(r";\s*\n", _expand_frac(step)):
                if statement.strip():
                    connection.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
            connection.commit()
            if verbose:
                print(f"  {label:<28} {clock.perf_counter() - step_began:6.1f} s", flush=True)
    # VACUUM too, as autovacuum would have by then: the visibility map lets PostgreSQL answer from the
    # reports' covering indexes alone (index-only scans).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        step_began = clock.perf_counter()
        connection.execute(text("VACUUM ANALYZE"))
        if verbose:
            print(f"  {'vacuum analyze':<28} {clock.perf_counter() - step_began:6.1f} s", flush=True)
        counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
                  for table in ("clients", "enrolments", "contacts", "appointments", "measure_answers",
                                "phase_transitions", "plans", "plan_versions", "referrals", "intake_items",
                                "assessments", "decision_meetings", "decision_meeting_items", "decisions",
                                "queue_entries", "vacancies", "housing_offers", "residencies")}
    if verbose:
        print(f"generated in {clock.perf_counter() - began:.1f} s: "
              + ", ".join(f"{n} {table}" for table, n in counts.items()), flush=True)
    return counts


def _expand_frac(sql: str) -> str:
    """``frac(x)``, the fractional part, as plain SQL: another uniform draw from one ``random()``."""
    return re.sub(r"frac\(([^()]*)\)", r"((\1) - floor(\1))", sql)


def _values(rows: list[tuple]) -> str:
    def literal(value) -> str:
        return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"
    return ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


def _steps() -> list[tuple[str, str]]:
    municipalities = _values([(code, fi, sv) for code, fi, sv, _ in MUNICIPALITIES])
    weights = _values([(n, code, w) for n, (code, _, _, w) in enumerate(MUNICIPALITIES)])
    programmes = _values([(n, code, w, len(phases)) for n, (code, w, phases) in enumerate(PROGRAMMES)])
    phases = _values([(code, i, phase) for code, _, ps in PROGRAMMES for i, phase in enumerate(ps)])
    return [
        ("setup", f"""
            SELECT setseed(0.2026);
            INSERT INTO municipalities (code, name_fi, name_sv) VALUES {municipalities} ON CONFLICT DO NOTHING;
            CREATE TEMP TABLE b_muni (n int, code text, w int);
            INSERT INTO b_muni VALUES {weights};
            CREATE TEMP TABLE b_prog (n int, code text, w int, phases int);
            INSERT INTO b_prog VALUES {programmes};
            CREATE TEMP TABLE b_phase (programme text, n int, phase text);
            INSERT INTO b_phase VALUES {phases};
            -- Cumulative weights, so a uniform draw in [0, 1) picks a municipality / programme.
            CREATE TEMP TABLE b_muni_cum AS
              SELECT code, (sum(w) OVER (ORDER BY n) - w)::float / sum(w) OVER () AS lo,
                     sum(w) OVER (ORDER BY n)::float / sum(w) OVER () AS hi FROM b_muni;
            CREATE TEMP TABLE b_prog_cum AS
              SELECT n, code, phases, (sum(w) OVER (ORDER BY n) - w)::float / sum(w) OVER () AS lo,
                     sum(w) OVER (ORDER BY n)::float / sum(w) OVER () AS hi FROM b_prog;
            -- Two units per programme; each serves the municipalities whose code sorts into its half.
            INSERT INTO org_units (code, name_fi, name_sv, name_en, county)
              SELECT 'bench-' || p.code || '-' || u, 'Yksikkö ' || p.code || ' ' || u,
                     'Enhet ' || p.code || ' ' || u, 'Unit ' || p.code || ' ' || u, 'Bench county'
              FROM b_prog p CROSS JOIN generate_series(1, 2) u ORDER BY p.n, u;
            CREATE TEMP TABLE b_unit AS
              SELECT o.id, p.code AS programme, right(o.code, 1)::int AS half
              FROM org_units o JOIN b_prog p ON o.code LIKE 'bench-' || p.code || '-_';
            INSERT INTO unit_municipalities (unit_id, municipality_code)
              SELECT u.id, m.code FROM b_unit u JOIN b_muni m ON (m.n % 2) + 1 = u.half;
        """),
        ("workers", """
            INSERT INTO users (kind, email, display_name, locale, active, created_at)
              SELECT 'staff', 'bench-worker-' || g || '@bench.example', 'Työntekijä ' || g, 'fi', true, now()
              FROM generate_series(1, :workers) g;
            CREATE TEMP TABLE b_worker AS
              SELECT u.id, bu.id AS unit_id, bu.programme,
                     row_number() OVER (PARTITION BY bu.id ORDER BY u.id) AS k
              FROM users u JOIN b_unit bu
                ON bu.id = (SELECT id FROM b_unit ORDER BY id OFFSET (u.id % 10) LIMIT 1)
              WHERE u.email LIKE 'bench-worker-%';
            INSERT INTO unit_memberships (unit_id, user_id) SELECT unit_id, id FROM b_worker;
        """),
        ("clients", """
            CREATE TEMP TABLE b_client AS
              SELECT g, random() AS r_muni, random() AS r_prog, random() AS r_age, random() AS r_more
              FROM generate_series(1, :clients) g;
            INSERT INTO clients (first_name, last_name, birth_year, gender, municipality_code, language,
                                 pensioner, social_welfare_client, diagnosis_group, preferred_channel,
                                 prefers_home_visits, created_at, updated_at)
              SELECT 'Asiakas', 'Bench ' || c.g,
                     CASE WHEN p.code = 'intensive-rehabilitation' THEN 1997 + floor(c.r_age * 11)::int
                          WHEN p.code = 'health-social-work' THEN 1935 + floor(c.r_age * 70)::int
                          ELSE 1945 + floor(c.r_age * 60)::int END,
                     CASE WHEN c.r_more < 0.52 THEN 'female' WHEN c.r_more < 0.97 THEN 'male'
                          WHEN c.r_more < 0.99 THEN 'other' ELSE 'unknown' END,
                     m.code,
                     CASE WHEN m.code IN ('710', '078', '149', '235') AND c.r_age < 0.5 THEN 'sv'
                          WHEN frac(c.r_more * 7) < 0.06 THEN 'other' WHEN frac(c.r_more * 7) < 0.11 THEN 'sv'
                          ELSE 'fi' END,
                     p.code = 'health-social-work' AND c.r_age < 0.35,
                     frac(c.r_more * 13) < 0.4,
                     CASE WHEN p.code <> 'remote-guidance' THEN NULL WHEN frac(c.r_more * 3) < 0.35 THEN 'psychosis'
                          WHEN frac(c.r_more * 3) < 0.8 THEN 'mood' ELSE 'other' END,
                     'sms', frac(c.r_more * 11) < 0.05, now(), now()
              FROM b_client c
              JOIN b_muni_cum m ON c.r_muni >= m.lo AND c.r_muni < m.hi
              JOIN b_prog_cum p ON c.r_prog >= p.lo AND c.r_prog < p.hi
              ORDER BY c.g;
        """),
        ("enrolments", """
            -- Every client in the programme drawn above; one in five also in another programme.
            CREATE TEMP TABLE b_enrol AS
              SELECT cl.id AS client_id, p.code AS programme, cl.municipality_code, random() AS r1, random() AS r2
              FROM clients cl JOIN b_client c ON cl.last_name = 'Bench ' || c.g
              JOIN b_prog_cum p ON c.r_prog >= p.lo AND c.r_prog < p.hi
              UNION ALL
              SELECT cl.id, p2.code, cl.municipality_code, random(), random()
              FROM clients cl JOIN b_client c ON cl.last_name = 'Bench ' || c.g
              JOIN b_prog_cum p ON c.r_prog >= p.lo AND c.r_prog < p.hi
              JOIN b_prog p2 ON p2.n = (p.n + 1 + floor(c.r_more * 4)::int) % 5
              WHERE frac(c.r_age * 5) < 0.2;
            ALTER TABLE b_enrol ADD COLUMN start_on date, ADD COLUMN ended_on date, ADD COLUMN phase_n int;
            -- Starts over the last three years; 002 lasts at most six months, 004 weeks, others months.
            UPDATE b_enrol SET start_on = current_date - floor(r1 * 1095)::int;
            UPDATE b_enrol e SET ended_on = least(current_date, e.start_on + CASE e.programme
                  WHEN 'intensive-rehabilitation' THEN 60 + floor(r2 * 123)::int
                  WHEN 'health-social-work' THEN 3 + floor(r2 * 60)::int
                  WHEN 'housing-guidance' THEN 60 + floor(r2 * 300)::int
                  ELSE 180 + floor(r2 * 600)::int END)
              WHERE r2 < 0.85;
            UPDATE b_enrol SET ended_on = NULL WHERE ended_on >= current_date - 3;
            UPDATE b_enrol e SET phase_n = CASE WHEN e.ended_on IS NOT NULL THEN p.phases - 1
                  ELSE least(p.phases - 1, floor((current_date - e.start_on) / 90.0 + e.r2)::int) END
              FROM b_prog p WHERE p.code = e.programme;
            INSERT INTO enrolments (client_id, programme_code, unit_id, status, start_on, planned_end_on, ended_on,
                                    phase, coordinator_id, created_at)
              SELECT e.client_id, e.programme, u.id, CASE WHEN e.ended_on IS NULL THEN 'active' ELSE 'ended' END,
                     e.start_on, CASE WHEN e.programme = 'intensive-rehabilitation' THEN e.start_on + 183 END,
                     e.ended_on, ph.phase,
                     w.id, e.start_on::timestamp
              FROM b_enrol e
              JOIN unit_municipalities um ON um.municipality_code = e.municipality_code
              JOIN b_unit u ON u.id = um.unit_id AND u.programme = e.programme
              JOIN (SELECT unit_id, count(*) AS n FROM b_worker GROUP BY unit_id) wn ON wn.unit_id = u.id
              JOIN b_worker w ON w.unit_id = u.id AND w.k = 1 + e.client_id % wn.n
              JOIN b_phase ph ON ph.programme = e.programme AND ph.n = e.phase_n
              ORDER BY e.start_on, e.client_id;
        """),
        ("phase transitions", """
            INSERT INTO phase_transitions (enrolment_id, from_phase, to_phase, by_id, at)
              SELECT e.id, prev.phase, ph.phase, e.coordinator_id,
                     e.start_on + (coalesce(e.ended_on, current_date) - e.start_on) * ph.n / (cur.n + 1.0)
                       * interval '1 day' + interval '9 hours'
              FROM enrolments e
              JOIN b_phase cur ON cur.programme = e.programme_code AND cur.phase = e.phase
              JOIN b_phase ph ON ph.programme = e.programme_code AND ph.n BETWEEN 1 AND cur.n
              JOIN b_phase prev ON prev.programme = e.programme_code AND prev.n = ph.n - 1
              JOIN b_unit u ON u.id = e.unit_id
              ORDER BY e.id, ph.n;
        """),
        ("contact rows", """
            -- Each enrolment's share of the contacts: many a week in 002, one to three in 004
            -- (a quarter in a single contact), in proportion to its length elsewhere.
            CREATE TEMP TABLE b_share AS
              SELECT e.id, e.programme_code, e.coordinator_id, e.start_on,
                     greatest(coalesce(e.ended_on, current_date) - e.start_on, 1) AS days,
                     CASE e.programme_code
                       WHEN 'health-social-work' THEN CASE WHEN e.id % 4 = 0 THEN 1 ELSE 2 + e.id % 5 END
                       WHEN 'intensive-rehabilitation'
                         THEN greatest(coalesce(e.ended_on, current_date) - e.start_on, 1) * 3.0 / 7
                       WHEN 'remote-guidance' THEN greatest(coalesce(e.ended_on, current_date) - e.start_on, 1) / 9.0
                       WHEN 'many-services' THEN greatest(coalesce(e.ended_on, current_date) - e.start_on, 1) / 14.0
                       ELSE greatest(coalesce(e.ended_on, current_date) - e.start_on, 1) / 25.0 END AS w
              FROM enrolments e JOIN b_unit u ON u.id = e.unit_id;
            CREATE TEMP TABLE b_count AS
              SELECT id, programme_code, coordinator_id, start_on, days,
                     floor(sum(w) OVER (ORDER BY id) * :contacts / sum(w) OVER ())::int
                     - floor((sum(w) OVER (ORDER BY id) - w) * :contacts / sum(w) OVER ())::int AS n
              FROM b_share;
            CREATE TEMP TABLE b_contact AS
              SELECT c.id AS enrolment_id, c.programme_code, c.coordinator_id, c.start_on, c.days,
                     k, c.n, random() AS r_mod, random() AS r_stat, random() AS r_min, random() AS r_sup
              FROM b_count c CROSS JOIN LATERAL generate_series(1, c.n) k;
            -- Ids in time order (as a live system makes them); a held remote-guidance contact also gets the
            -- id of the appointment it was booked as, so no UPDATE of a million rows is needed afterwards.
            CREATE TEMP TABLE b_rows AS
              SELECT nextval(pg_get_serial_sequence('contacts', 'id')) AS id,
                     CASE WHEN y.programme_code = 'remote-guidance' AND y.status = 'held'
                          THEN nextval(pg_get_serial_sequence('appointments', 'id')) END AS appointment_id, y.*
              FROM (SELECT x.enrolment_id, x.programme_code, x.coordinator_id, x.contact_type, x.modality, x.status,
                     x.starts_at, x.starts_at + greatest(x.minutes, 5) * interval '1 minute' AS ends_at,
                     CASE WHEN x.status = 'held' THEN x.minutes END AS duration_minutes,
                     x.support_types, x.worked_remotely,
                     -- Health social work records where a held contact left the matter: the last one served
                     -- (most often), the ones before it followed up.
                     CASE WHEN x.programme_code <> 'health-social-work' OR x.status <> 'held' THEN NULL
                          WHEN x.k < x.n THEN 'follow_up' WHEN x.r_min < 0.85 THEN 'served'
                          ELSE 'referred_onwards' END AS outcome
              FROM (
                SELECT b.*, m.modality,
                  CASE WHEN b.r_stat < 0.9 THEN 'held' WHEN b.r_stat < 0.96 THEN 'cancelled' ELSE 'no_show' END
                    AS status,
                  -- Spread over the enrolment, on working hours (8–15 UTC+2).
                  (b.start_on + least(floor((b.k - 1 + b.r_sup) * b.days / b.n)::int, b.days - 1))::timestamp
                    + (6 + floor(b.r_min * 7)::int) * interval '1 hour'
                    + (floor(b.r_stat * 4)::int * 15) * interval '1 minute' AS starts_at,
                  CASE m.modality WHEN 'email' THEN 10 WHEN 'text_message' THEN 5
                       WHEN 'phone' THEN 10 + floor(b.r_min * 35)::int
                       WHEN 'home_visit' THEN 45 + floor(b.r_min * 60)::int
                       ELSE 30 + floor(b.r_min * 60)::int END AS minutes,
                  CASE b.programme_code
                    WHEN 'remote-guidance'
                         THEN CASE WHEN b.r_sup < 0.85 THEN 'guidance-meeting' ELSE 'network-meeting' END
                    WHEN 'housing-guidance' THEN CASE m.modality WHEN 'phone' THEN 'phone-contact'
                         ELSE 'assessment-meeting' END
                    WHEN 'intensive-rehabilitation' THEN CASE m.modality WHEN 'phone' THEN 'short-contact'
                         WHEN 'text_message' THEN 'short-contact'
                         ELSE CASE WHEN b.r_sup < 0.2 THEN 'group-session' ELSE 'individual' END END
                    WHEN 'many-services' THEN CASE WHEN b.r_sup < 0.1 THEN 'plan-review' WHEN b.r_sup < 0.3
                         THEN 'own-team-meeting' ELSE 'coordinator-meeting' END
                    ELSE CASE m.modality WHEN 'phone' THEN 'phone-call' WHEN 'reception' THEN 'reception-visit'
                         WHEN 'home_visit' THEN 'home-visit' ELSE 'written-contact' END END AS contact_type,
                  CASE WHEN b.programme_code = 'remote-guidance' THEN
                    -- One or two support types, never the same twice.
                    (SELECT json_agg(DISTINCT code) FROM unnest(ARRAY[
                      (ARRAY['benefits', 'money', 'housing', 'health', 'daily-routines', 'social-relations',
                             'digital-skills', 'cleaning', 'cooking'])[1 + floor(b.r_sup * 9)::int],
                      (ARRAY['health', 'daily-routines', 'social-relations', 'benefits'])[1 + floor(b.r_min * 4)::int]
                    ]) code)
                    ELSE '[]'::json END AS support_types,
                  CASE WHEN b.programme_code = 'remote-guidance' AND m.modality IN ('video', 'phone')
                       THEN frac(b.r_sup * 7) < 0.85 END AS worked_remotely
                FROM b_contact b
                JOIN LATERAL (SELECT CASE b.programme_code
                    WHEN 'remote-guidance' THEN CASE WHEN b.k = 1 OR b.r_mod < 0.24 THEN 'home_visit'
                         WHEN b.r_mod < 0.84 THEN 'video' ELSE 'phone' END
                    WHEN 'housing-guidance' THEN CASE WHEN b.r_mod < 0.4 THEN 'reception' WHEN b.r_mod < 0.6
                         THEN 'home_visit' WHEN b.r_mod < 0.8 THEN 'video' ELSE 'phone' END
                    WHEN 'intensive-rehabilitation' THEN CASE WHEN b.r_mod < 0.45 THEN 'reception'
                         WHEN b.r_mod < 0.65 THEN 'home_visit' WHEN b.r_mod < 0.9 THEN 'video'
                         WHEN b.r_mod < 0.95 THEN 'phone' ELSE 'text_message' END
                    WHEN 'many-services' THEN CASE WHEN b.r_mod < 0.5 THEN 'reception' WHEN b.r_mod < 0.7
                         THEN 'video' WHEN b.r_mod < 0.85 THEN 'phone' ELSE 'home_visit' END
                    ELSE CASE WHEN b.r_mod < 0.8 THEN 'phone' WHEN b.r_mod < 0.9 THEN 'reception'
                         WHEN b.r_mod < 0.95 THEN 'home_visit' WHEN b.r_mod < 0.98 THEN 'email'
                         ELSE 'text_message' END END AS modality) m ON true
              ) x
              ORDER BY x.starts_at) y;
        """),
        ("appointments", """
            -- The booked meeting behind each held remote-guidance contact: ORS/SRS answers point at it.
            INSERT INTO appointments (id, programme_code, enrolment_id, contact_type, modality, status, starts_at,
                                      ends_at, travel_minutes, organizer_id, created_at, updated_at)
              SELECT r.appointment_id, 'remote-guidance', r.enrolment_id, r.contact_type, r.modality, 'held',
                     r.starts_at, r.ends_at, CASE WHEN r.modality = 'home_visit' THEN 15 ELSE 0 END,
                     r.coordinator_id, r.starts_at - interval '7 days', r.ends_at
              FROM b_rows r WHERE r.appointment_id IS NOT NULL ORDER BY r.appointment_id;
            INSERT INTO contacts (id, enrolment_id, appointment_id, worker_id, contact_type, modality, status,
                                  starts_at, ends_at, duration_minutes, support_types, worked_remotely, outcome,
                                  created_at)
              SELECT r.id, r.enrolment_id, r.appointment_id, r.coordinator_id, r.contact_type, r.modality, r.status,
                     r.starts_at, r.ends_at, r.duration_minutes, r.support_types, r.worked_remotely, r.outcome,
                     r.starts_at
              FROM b_rows r ORDER BY r.id;
        """),
        ("answers", """
            CREATE TEMP TABLE b_instr AS SELECT DISTINCT ON (code) code, id FROM measure_instruments
              ORDER BY code, version DESC;
            -- 3X10D at the start of every intensive-rehabilitation enrolment; at six months, or at the end
            -- if it ended earlier. Improvement grows with the intensity of the work.
            CREATE TEMP TABLE b_3x10d AS
              SELECT e.id AS enrolment_id, e.client_id, e.coordinator_id, e.start_on, e.ended_on,
                     4 + random() * 3 AS base, random() * 3 - 0.5 AS gain
              FROM enrolments e JOIN b_unit u ON u.id = e.unit_id
              WHERE e.programme_code = 'intensive-rehabilitation';
            INSERT INTO measure_answers (enrolment_id, client_id, instrument_id, instrument_code, occurrence, status,
                                         source, values, total, answered_on, created_at, updated_at, submitted_at)
              SELECT t.enrolment_id, t.client_id, (SELECT id FROM b_instr WHERE code = '3x10d'), '3x10d', o.occ,
                     'submitted', 'client', v.values, v.total, o.at, o.at, o.at, o.at
              FROM b_3x10d t
              CROSS JOIN LATERAL (
                SELECT 'start' AS occ, t.start_on + interval '10 hours' AS at, 0.0 AS step
                UNION ALL
                SELECT CASE WHEN t.ended_on < t.start_on + 170 THEN 'end' ELSE 'month-6' END,
                       least(t.ended_on, t.start_on + 183) + interval '10 hours', 1.0
                WHERE t.ended_on IS NOT NULL OR t.start_on + 183 <= current_date) o
              CROSS JOIN LATERAL (
                SELECT json_object_agg(item, score) AS values, round(avg(score), 2) AS total
                FROM (SELECT item, least(10, greatest(0, round(t.base + o.step * t.gain + random() * 2 - 1)))::int
                             AS score
                      FROM unnest(ARRAY['health', 'overcoming', 'housing', 'daily-coping', 'family', 'friends',
                                        'finances', 'strengths', 'self-esteem', 'life']) item) s) v;
            -- Written feedback at the end of intensive rehabilitation (most, not all, answer).
            INSERT INTO measure_answers (enrolment_id, client_id, instrument_id, instrument_code, occurrence, status,
                                         source, values, created_at, updated_at, submitted_at, answered_on)
              SELECT t.enrolment_id, t.client_id, (SELECT id FROM b_instr WHERE code = 'written-feedback'),
                     'written-feedback', 'end', 'submitted', 'paper',
                     json_build_object('satisfied', r < 0.93, 'helped-toward-goals', r < 0.85),
                     t.ended_on + interval '12 hours', t.ended_on + interval '12 hours',
                     t.ended_on + interval '12 hours', t.ended_on + interval '12 hours'
              FROM (SELECT *, random() AS r FROM b_3x10d WHERE ended_on IS NOT NULL) t WHERE t.r < 0.8 OR t.r >= 0.95;
            -- The yearly satisfaction survey (November) for remote-guidance clients enrolled then.
            INSERT INTO measure_answers (enrolment_id, client_id, instrument_id, instrument_code, occurrence, status,
                                         source, values, created_at, updated_at, submitted_at, answered_on)
              SELECT e.id, e.client_id, (SELECT id FROM b_instr WHERE code = 'satisfaction-survey'),
                     'satisfaction-survey', 'year-' || y, 'submitted', 'client',
                     json_build_object('overall', 3 + floor(random() * 2.6)::int, 'remote-works', random() < 0.8),
                     make_date(y, 11, 10)::timestamp, make_date(y, 11, 10)::timestamp,
                     make_date(y, 11, 10)::timestamp, make_date(y, 11, 10)::timestamp
              FROM enrolments e JOIN b_unit u ON u.id = e.unit_id
              CROSS JOIN generate_series(extract(year FROM current_date)::int - 3,
                                         extract(year FROM current_date)::int) y
              WHERE e.programme_code = 'remote-guidance' AND make_date(y, 11, 10) BETWEEN e.start_on
                    AND coalesce(e.ended_on, current_date) AND random() < 0.6;
            -- ORS before and SRS after remote-guidance meetings: pairs until the answers reach their total.
            CREATE TEMP TABLE b_fit AS
              SELECT a.id AS appointment_id, a.enrolment_id, e.client_id, a.starts_at, a.ends_at,
                     row_number() OVER (PARTITION BY a.enrolment_id ORDER BY a.starts_at) AS nth,
                     random() AS r
              FROM appointments a JOIN enrolments e ON e.id = a.enrolment_id JOIN b_unit u ON u.id = e.unit_id
              WHERE a.programme_code = 'remote-guidance';
            CREATE TEMP TABLE b_fit_take AS
              SELECT * FROM b_fit ORDER BY r
              LIMIT greatest(0, (:answers - (SELECT count(*) FROM measure_answers ma
                                 JOIN b_3x10d t ON t.enrolment_id = ma.enrolment_id)
                                 - (SELECT count(*) FROM measure_answers WHERE instrument_code = 'satisfaction-survey'))
                                / 2);
            INSERT INTO measure_answers (enrolment_id, client_id, instrument_id, instrument_code, occurrence,
                                         appointment_id, status, source, values, total, created_at, updated_at,
                                         submitted_at, answered_on)
              SELECT f.enrolment_id, f.client_id, i.id, i.code, 'appt-' || f.appointment_id, f.appointment_id,
                     'submitted', 'client', v.values, v.total, at, at, at, at
              FROM b_fit_take f
              CROSS JOIN b_instr i
              CROSS JOIN LATERAL (SELECT CASE i.code WHEN 'ors' THEN f.starts_at - interval '30 minutes'
                                         ELSE f.ends_at END AS at) t
              CROSS JOIN LATERAL (
                SELECT json_object_agg(item, score) AS values, round(sum(score), 1) AS total
                FROM (SELECT item,
                        round(least(10.0, greatest(0.0, CASE i.code
                          WHEN 'ors' THEN 4.5 + least(f.nth, 20) * 0.12 + f.r * 2 + random() * 2 - 1
                          ELSE 8.6 + random() * 1.4 END))::numeric, 1) AS score
                      FROM unnest(CASE i.code WHEN 'ors'
                                  THEN ARRAY['individually', 'interpersonally', 'socially', 'overall']
                                  ELSE ARRAY['relationship', 'goals', 'approach', 'overall'] END) item) s) v
              WHERE i.code IN ('ors', 'srs');
        """),
        ("referrals", """
            -- Health social work starts from a referral by primary-care staff (accepted: the enrolment), and
            -- answers consultations (about 40 % as many; most answered, the newest still open).
            INSERT INTO referrals (kind, unit_id, referrer_id, urgency, status, situation, first_name, last_name,
                                   birth_year, gender, municipality_code, language, pensioner, social_welfare_client,
                                   person_key, consent_by, consent_on, consent_how, handled_at, handled_by_id,
                                   client_id, enrolment_id, created_at)
              SELECT 'referral', e.unit_id, e.coordinator_id,
                     (ARRAY['today', 'this_week', 'normal'])[1 + e.id % 3], 'accepted', 'Tilanne',
                     cl.first_name, cl.last_name, cl.birth_year, cl.gender, cl.municipality_code, cl.language,
                     cl.pensioner, cl.social_welfare_client,
                     lower(cl.last_name || '|' || cl.first_name || '|' || cl.birth_year), 'client',
                     e.start_on - 2, 'verbal', e.start_on + interval '9 hours', e.coordinator_id, cl.id, e.id,
                     (e.start_on - 2) + interval '10 hours'
              FROM enrolments e JOIN clients cl ON cl.id = e.client_id JOIN b_unit u ON u.id = e.unit_id
              WHERE e.programme_code = 'health-social-work'
              ORDER BY e.start_on, e.id;
            INSERT INTO referrals (kind, unit_id, referrer_id, urgency, status, situation, municipality_code,
                                   answer, handled_at, handled_by_id, created_at)
              SELECT 'consultation', e.unit_id, e.coordinator_id, 'normal',
                     CASE WHEN e.start_on < current_date - 7 OR e.id % 2 = 0 THEN 'answered' ELSE 'open' END,
                     'Konsultaatio', cl.municipality_code,
                     CASE WHEN e.start_on < current_date - 7 OR e.id % 2 = 0 THEN 'Vastaus' END,
                     CASE WHEN e.start_on < current_date - 7 OR e.id % 2 = 0
                          THEN e.start_on + interval '1 day 9 hours' END,
                     CASE WHEN e.start_on < current_date - 7 OR e.id % 2 = 0 THEN e.coordinator_id END,
                     e.start_on + interval '8 hours'
              FROM enrolments e JOIN clients cl ON cl.id = e.client_id JOIN b_unit u ON u.id = e.unit_id
              WHERE e.programme_code = 'health-social-work' AND e.id % 5 < 2
              ORDER BY e.start_on, e.id;
        """),
        ("plans", """
            -- A plan for every PPT enrolment past referral: reviewed every 90 days (mostly on time),
            -- with a continuation plan when it ended.
            INSERT INTO plans (enrolment_id, review_on, review_interval_days, continuation_at, created_at)
              SELECT e.id, coalesce(e.ended_on, current_date) + 90 - floor(random() * 120)::int, 90,
                     CASE WHEN e.ended_on IS NOT NULL AND random() < 0.85 THEN e.ended_on - 7 + interval '10 hours' END,
                     e.start_on + interval '20 days'
              FROM enrolments e JOIN b_unit u ON u.id = e.unit_id
              WHERE e.programme_code = 'many-services' AND e.phase <> 'referral';
            INSERT INTO plan_versions (plan_id, number, agreed_at, agreed_by_id, review_on, snapshot)
              SELECT p.id, k, e.start_on + (k - 1) * (85 + floor(random() * 20)::int) + interval '20 days 10 hours',
                     e.coordinator_id, e.start_on + k * 90 + 20, '{}'::json
              FROM plans p JOIN enrolments e ON e.id = p.enrolment_id
              CROSS JOIN LATERAL generate_series(1, greatest(1,
                  (coalesce(e.ended_on, current_date) - e.start_on - 20) / 90)) k;
        """),
        ("housing", """
            -- Housing-service guidance (001): every housing enrolment is an application that came in through
            -- one intake channel (each municipality leans on its own channels), was assessed against the
            -- SWA §36 deadlines, decided at the unit's twice-weekly decision meeting, and if granted queued
            -- for its service until a vacancy was offered and accepted.
            CREATE TEMP TABLE b_housing AS
              SELECT e.id AS enrolment_id, e.client_id, e.unit_id, e.coordinator_id, e.start_on,
                     cl.municipality_code, cl.birth_year, cl.first_name, cl.last_name,
                     CASE WHEN cl.language = 'sv' THEN 'sv' ELSE 'fi' END AS language,
                     random() AS r1, random() AS r2, random() AS r3
              FROM enrolments e JOIN b_unit u ON u.id = e.unit_id JOIN clients cl ON cl.id = e.client_id
              WHERE e.programme_code = 'housing-guidance';
            ALTER TABLE b_housing ADD COLUMN channel text;
            UPDATE b_housing h SET channel = CASE
                WHEN frac(h.r2 + m.n * 0.13) < 0.30 THEN 'service_request'
                WHEN frac(h.r2 + m.n * 0.13) < 0.55 THEN 'notification_35'
                WHEN frac(h.r2 + m.n * 0.13) < 0.80 THEN 'phone'
                WHEN frac(h.r2 + m.n * 0.13) < 0.92 THEN 'paper' ELSE 'visit' END
              FROM b_muni m WHERE m.code = h.municipality_code;
            -- The registered item of each application; a few duplicates merged into it, and the newest
            -- contacts still waiting in the intake list (no enrolment yet).
            INSERT INTO intake_items (channel, status, municipality_code, received_on, first_name, last_name,
                                      birth_year, language, description, highest_care_allowance, notifier_name,
                                      notifier_organisation, person_informed, person_consented, client_id,
                                      enrolment_id, registered_by_id, registered_at, created_at, updated_at)
              SELECT h.channel, s.status, h.municipality_code,
                     CASE s.status WHEN 'received' THEN current_date - floor(h.r1 * 10)::int
                          ELSE h.start_on - floor(h.r1 * 4)::int END,
                     h.first_name, h.last_name, h.birth_year, h.language, 'Asumispalvelun tarve', h.r3 < 0.08,
                     CASE WHEN h.channel = 'notification_35' THEN 'Ilmoittaja' END,
                     CASE WHEN h.channel = 'notification_35' THEN 'Terveysasema' END,
                     CASE WHEN h.channel = 'notification_35' THEN true END,
                     CASE WHEN h.channel = 'notification_35' THEN h.r1 < 0.9 END,
                     CASE WHEN s.status <> 'received' THEN h.client_id END,
                     CASE WHEN s.status <> 'received' THEN h.enrolment_id END,
                     CASE WHEN s.status = 'registered' THEN h.coordinator_id END,
                     CASE WHEN s.status = 'registered' THEN h.start_on + interval '9 hours' END,
                     h.start_on - floor(h.r1 * 4)::int + interval '8 hours', h.start_on + interval '9 hours'
              FROM b_housing h
              CROSS JOIN LATERAL (SELECT 'registered' AS status UNION ALL SELECT 'merged' WHERE h.r3 > 0.96
                                  UNION ALL SELECT 'received' WHERE h.r3 < 0.25 AND h.start_on > current_date - 40) s
              ORDER BY 4, h.enrolment_id;
            -- Priority (over 75, highest care allowance): started by the 7th working day (9 days here);
            -- everyone's due in 15 working days (21 days). Most on time, some late, the newest unfinished.
            CREATE TEMP TABLE b_assess AS
              SELECT h.*, i.id AS intake_item_id, i.received_on,
                     (h.birth_year <= extract(year FROM i.received_on)::int - 75 OR i.highest_care_allowance)
                       AS priority
              FROM b_housing h JOIN intake_items i ON i.enrolment_id = h.enrolment_id AND i.status = 'registered';
            INSERT INTO assessments (enrolment_id, intake_item_id, worker_id, rule, received_on, start_due_on, due_on,
                                     started_on, completed_on, summary, created_at)
              SELECT a.enrolment_id, a.intake_item_id, a.coordinator_id,
                     CASE WHEN a.priority THEN 'priority' ELSE 'undue_delay' END, a.received_on,
                     CASE WHEN a.priority THEN a.received_on + 9 END, a.received_on + 21,
                     CASE WHEN x.st <= current_date THEN x.st END,
                     CASE WHEN x.st + x.len <= current_date THEN x.st + x.len END,
                     CASE WHEN x.st + x.len <= current_date THEN 'Yhteenveto' END,
                     a.received_on + interval '10 hours'
              FROM b_assess a
              CROSS JOIN LATERAL (SELECT a.received_on + floor(a.r1 * CASE WHEN a.priority THEN 10 ELSE 12 END)::int
                                           AS st,
                                         3 + floor(a.r2 * a.r2 * 22)::int AS len) x
              ORDER BY a.received_on, a.enrolment_id;
            -- Decision meetings: every Tuesday and Thursday in each housing unit, chaired by its first worker.
            INSERT INTO decision_meetings (unit_id, starts_at, minutes, chair_id, created_at)
              SELECT u.id, d + interval '11 hours', CASE WHEN extract(isodow FROM d) = 2 THEN 180 ELSE 150 END, w.id,
                     d - interval '14 days'
              FROM b_unit u JOIN b_worker w ON w.unit_id = u.id AND w.k = 1
              CROSS JOIN generate_series((current_date - 1100)::timestamp, (current_date + 14)::timestamp,
                                         interval '1 day') d
              WHERE u.programme = 'housing-guidance' AND extract(isodow FROM d) IN (2, 4)
              ORDER BY d, u.id;
            -- Each completed assessment on the agenda of its unit's next meeting (two days to prepare).
            CREATE TEMP TABLE b_item AS
              SELECT a.enrolment_id, a.client_id, a.unit_id, a.coordinator_id, a.language, a.birth_year, a.r1, a.r2,
                     a.r3, s.id AS assessment_id, m.id AS meeting_id, m.starts_at, m.chair_id,
                     row_number() OVER (PARTITION BY m.id ORDER BY a.enrolment_id) AS position,
                     random() AS r_out
              FROM b_assess a JOIN assessments s ON s.intake_item_id = a.intake_item_id
              CROSS JOIN LATERAL (SELECT dm.id, dm.starts_at, dm.chair_id FROM decision_meetings dm
                                  WHERE dm.unit_id = a.unit_id AND dm.starts_at >= s.completed_on + 2
                                  ORDER BY dm.starts_at LIMIT 1) m
              WHERE s.completed_on IS NOT NULL;
            ALTER TABLE b_item ADD COLUMN id bigint, ADD COLUMN outcome text, ADD COLUMN service_type text;
            UPDATE b_item SET id = nextval(pg_get_serial_sequence('decision_meeting_items', 'id')),
                   outcome = CASE WHEN starts_at > now() THEN NULL WHEN r_out < 0.75 THEN 'granted'
                                  WHEN r_out < 0.9 THEN 'rejected' ELSE 'more_information' END;
            UPDATE b_item SET service_type = CASE WHEN birth_year <= extract(year FROM starts_at)::int - 75
                                                  THEN 'round_the_clock' WHEN r2 < 0.6 THEN 'supported'
                                                  ELSE 'communal' END
              WHERE outcome = 'granted';
            INSERT INTO decision_meeting_items (id, meeting_id, enrolment_id, assessment_id, worker_id, position,
                                                estimated_minutes, actual_minutes, outcome, service_type,
                                                recorded_at, recorded_by_id, created_at)
              SELECT i.id, i.meeting_id, i.enrolment_id, i.assessment_id, i.coordinator_id, i.position,
                     4 + floor(i.r1 * 5)::int,
                     CASE WHEN i.outcome IS NOT NULL THEN greatest(1, 2 + floor(i.r1 * 5)::int
                                                                     + floor(i.r_out * 9)::int - 2) END,
                     i.outcome, i.service_type,
                     CASE WHEN i.outcome IS NOT NULL THEN i.starts_at + interval '3 hours' END,
                     CASE WHEN i.outcome IS NOT NULL THEN i.chair_id END, i.starts_at - interval '3 days'
              FROM b_item i ORDER BY i.id;
            -- The written decision, drafted by the worker and signed by another (four eyes) the next day.
            CREATE TEMP TABLE b_decision AS
              SELECT nextval(pg_get_serial_sequence('decisions', 'id')) AS decision_id, i.*,
                     (SELECT w.id FROM b_worker w WHERE w.id <> i.coordinator_id
                      ORDER BY w.unit_id <> i.unit_id, w.k LIMIT 1) AS signer_id
              FROM b_item i WHERE i.outcome IS NOT NULL;
            INSERT INTO decisions (id, enrolment_id, meeting_item_id, outcome, service_type, language, body,
                                   drafted_by_id, drafted_at, signed_at, signed_by_id)
              SELECT d.decision_id, d.enrolment_id, d.id, d.outcome, d.service_type, d.language, 'Päätös',
                     d.coordinator_id, d.starts_at + interval '4 hours',
                     CASE WHEN d.starts_at + interval '1 day' <= now() THEN d.starts_at + interval '1 day' END,
                     CASE WHEN d.starts_at + interval '1 day' <= now() THEN d.signer_id END
              FROM b_decision d ORDER BY d.decision_id;
            -- Queues per service; a granted, signed decision queues the client until placed (or withdrawn).
            INSERT INTO housing_queues (service_type, coordinator_id)
              SELECT t, (SELECT min(id) FROM b_worker WHERE programme = 'housing-guidance')
              FROM unnest(ARRAY['supported', 'communal', 'round_the_clock']) t
              ON CONFLICT (service_type) DO NOTHING;
            CREATE TEMP TABLE b_entry AS
              SELECT nextval(pg_get_serial_sequence('queue_entries', 'id')) AS id, q.id AS queue_id,
                     d.decision_id, d.enrolment_id, d.client_id, d.service_type, d.coordinator_id,
                     (d.starts_at + interval '1 day')::date AS queued_on, d.r3, random() AS r_wait
              FROM b_decision d JOIN housing_queues q ON q.service_type = d.service_type
              WHERE d.outcome = 'granted' AND d.starts_at + interval '1 day' <= now();
            ALTER TABLE b_entry ADD COLUMN status text, ADD COLUMN left_on date;
            UPDATE b_entry SET left_on = queued_on + 7 + floor(r_wait * r_wait * CASE service_type
                  WHEN 'round_the_clock' THEN 120 WHEN 'communal' THEN 240 ELSE 180 END)::int;
            UPDATE b_entry SET status = CASE WHEN left_on > current_date THEN 'waiting'
                                             WHEN r3 < 0.05 THEN 'withdrawn' ELSE 'placed' END;
            UPDATE b_entry SET left_on = NULL WHERE status = 'waiting';
            INSERT INTO queue_entries (id, queue_id, enrolment_id, decision_id, priority, queued_on, queued_at, status,
                                       left_on)
              SELECT e.id, e.queue_id, e.enrolment_id, e.decision_id,
                     CASE WHEN e.r_wait < 0.1 THEN 'urgent' ELSE 'normal' END, e.queued_on,
                     e.queued_on + interval '10 hours', e.status, e.left_on
              FROM b_entry e ORDER BY e.id;
            -- Housing units: one of each service in the larger municipalities (the providers' own).
            INSERT INTO housing_units (name, municipality_code, service_type, places, provider)
              SELECT 'Asumisyksikkö ' || m.code || ' ' || t, m.code, t, 8 + m.w, 'Palveluntuottaja ' || m.n
              FROM b_muni m CROSS JOIN unnest(ARRAY['supported', 'communal', 'round_the_clock']) t
              WHERE m.w >= 2 ORDER BY m.n, t;
            -- A vacancy filled by each placement (an accepted offer; the place was free a few weeks before),
            -- a few cancelled, and the places free now still open.
            CREATE TEMP TABLE b_place AS
              SELECT nextval(pg_get_serial_sequence('vacancies', 'id')) AS vacancy_id, e.*, hu.id AS housing_unit_id,
                     e.left_on - floor(e.r_wait * 35)::int AS free_from
              FROM b_entry e JOIN clients cl ON cl.id = e.client_id
              CROSS JOIN LATERAL (SELECT h.id FROM housing_units h WHERE h.service_type = e.service_type
                                  ORDER BY h.municipality_code = cl.municipality_code DESC, h.id LIMIT 1) hu
              WHERE e.status = 'placed';
            INSERT INTO vacancies (id, unit_id, free_from, status, reported_at, reported_by_id, filled_on, days_to_fill)
              SELECT p.vacancy_id, p.housing_unit_id, p.free_from, 'filled', p.free_from - 10 + interval '9 hours',
                     NULL, p.left_on, p.left_on - p.free_from
              FROM b_place p ORDER BY p.vacancy_id;
            INSERT INTO vacancies (unit_id, free_from, status, reported_at)
              SELECT h.id, current_date - 1100 + floor(random() * 1100)::int, 'cancelled', now()
              FROM housing_units h CROSS JOIN generate_series(1, 3)
              UNION ALL
              SELECT h.id, current_date - floor(random() * 30)::int, 'open', now()
              FROM housing_units h WHERE h.id % 3 = 0;
            INSERT INTO housing_offers (vacancy_id, entry_id, offered_at, offered_by_id, answer_by, status, answered_at,
                                        recorded_by_id)
              SELECT p.vacancy_id, p.id, greatest(p.queued_on, p.left_on - 5) + interval '9 hours', p.coordinator_id,
                     greatest(p.queued_on, p.left_on - 5) + 7, 'accepted', p.left_on + interval '10 hours',
                     p.coordinator_id
              FROM b_place p ORDER BY p.vacancy_id;
            INSERT INTO residencies (unit_id, enrolment_id, vacancy_id, starts_on, ends_on)
              SELECT p.housing_unit_id, p.enrolment_id, p.vacancy_id, p.left_on,
                     CASE WHEN p.r3 > 0.9 AND p.left_on + 200 < current_date THEN p.left_on + 200 END
              FROM b_place p ORDER BY p.vacancy_id;
        """),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", help="an existing, empty PostgreSQL database (else a scratch server)")
    args = parser.parse_args()
    from bench.reports import database  # the scratch server and the migrated app live there

    with database(args.database_url) as app, app.app_context():
        generate(args.scale)


if __name__ == "__main__":
    main()
