"""The report benchmark at a tiny scale on real PostgreSQL: the generated data set keeps the seeds' shares,
and every report figure gives the same rows as its hand-written SQL twin (bench/reports_sql.py).

No timings are asserted here; ``python -m bench.reports`` prints them at county scale.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bench import county, reports, reports_sql
from portal.extensions import db
from tests.conftest import make_app, migrate_and_sync

SCALE = 0.01  # 1 000 clients, 10 000 contacts, 3 000 answers


@pytest.fixture(scope="module")
def bench_app(postgres_server):
    postgres_server.create_database("bench_reports")
    app = make_app(postgres_server.url("bench_reports"))
    migrate_and_sync(app)
    with app.app_context():
        county.generate(SCALE, verbose=False)
        yield app
        db.session.remove()
        db.engine.dispose()
    postgres_server.drop_database("bench_reports")


def _share(sql: str) -> float:
    return db.session.execute(text(sql)).scalar_one()


def test_generator_makes_the_sizes_and_the_seeds_shares(bench_app):
    sizes = county.Sizes.at(SCALE)
    assert db.session.execute(text("SELECT count(*) FROM clients")).scalar_one() == sizes.clients
    assert db.session.execute(text("SELECT count(*) FROM contacts")).scalar_one() == sizes.contacts
    answers = db.session.execute(text("SELECT count(*) FROM measure_answers")).scalar_one()
    assert abs(answers - sizes.answers) <= sizes.answers * 0.05
    remote = _share("""SELECT avg((c.modality IN ('video', 'phone', 'email', 'text_message'))::int)
                       FROM contacts c JOIN enrolments e ON e.id = c.enrolment_id
                       WHERE e.programme_code = 'remote-guidance'""")
    phone = _share("""SELECT avg((c.modality = 'phone')::int) FROM contacts c JOIN enrolments e ON e.id = c.enrolment_id
                      WHERE e.programme_code = 'health-social-work'""")
    assert remote > 0.7
    assert 0.75 < phone < 0.85
    # Every contact lies inside its enrolment, and every FIT answer points at its own client's meeting.
    assert _share("""SELECT count(*) FROM contacts c JOIN enrolments e ON e.id = c.enrolment_id
                     WHERE c.starts_at::date < e.start_on
                        OR c.starts_at::date > coalesce(e.ended_on, current_date)""") == 0
    assert _share("""SELECT count(*) FROM measure_answers a JOIN appointments p ON p.id = a.appointment_id
                     WHERE p.enrolment_id <> a.enrolment_id""") == 0


def test_generator_makes_a_believable_housing_history(bench_app):
    """Housing (001): an application per housing enrolment, assessed, decided at twice-weekly meetings,
    granted ones queued and placed into vacancies with an accepted offer and a residency."""
    applications = _share("""SELECT count(*) FROM enrolments e JOIN org_units o ON o.id = e.unit_id
                             WHERE e.programme_code = 'housing-guidance' AND o.code LIKE 'bench-%'""")
    assert applications > 0
    assert _share("SELECT count(*) FROM intake_items WHERE status = 'registered'") == applications
    assert _share("SELECT count(DISTINCT channel) FROM intake_items") == 5
    assert _share("SELECT count(*) FROM assessments") == applications
    # Mostly on time, not always: the deadline figure has something to show.
    on_time = _share("SELECT avg((completed_on <= due_on)::int) FROM assessments WHERE completed_on IS NOT NULL")
    assert 0.5 < on_time < 1
    # Two meetings a week per housing unit; every decided item has its written decision.
    per_week = _share("""SELECT count(*)::float8 / count(DISTINCT unit_id)
                                / (max(starts_at::date) - min(starts_at::date) + 1) * 7.0 FROM decision_meetings""")
    assert 1.9 < per_week < 2.1
    assert _share("SELECT count(*) FROM decision_meeting_items WHERE outcome IS NOT NULL") == _share(
        "SELECT count(*) FROM decisions")
    assert _share("SELECT count(*) FROM decisions WHERE signed_by_id = drafted_by_id") == 0
    # Only granted decisions queue; every placement filled a vacancy by an accepted offer, into a residency.
    assert _share("""SELECT count(*) FROM queue_entries q JOIN decisions d ON d.id = q.decision_id
                     WHERE d.outcome <> 'granted'""") == 0
    placed = _share("SELECT count(*) FROM queue_entries WHERE status = 'placed'")
    assert placed > 0
    assert _share("SELECT count(*) FROM housing_offers WHERE status = 'accepted'") == placed
    assert _share("SELECT count(*) FROM vacancies WHERE status = 'filled'") == placed
    assert _share("SELECT count(*) FROM residencies") == placed
    assert _share("SELECT count(*) FROM vacancies WHERE days_to_fill <> filled_on - free_from") == 0


def test_every_figure_agrees_with_its_hand_written_sql(bench_app):
    timings = reports.run_all()
    assert timings, "no report figures found"
    twinned = [t for t in timings if t.same is not None]
    # A twin whose figure was renamed or removed would silently compare nothing.
    assert set(reports_sql.HAND) - {t.figure for t in twinned} == set()
    assert [t.figure for t in timings if t.same is None] == [], "every figure has a hand-written twin"
    different = [(t.figure, t.filters, t.error or "rows differ") for t in twinned if not t.same]
    assert different == []
    # Something was counted: the comparison would be empty-against-empty otherwise.
    assert sum(t.rows for t in twinned) > 0
    assert all(t.rows > 0 for t in twinned if t.figure.startswith("001-") and t.filters == "12 months")
