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


def test_every_figure_agrees_with_its_hand_written_sql(bench_app):
    timings = reports.run_all()
    assert timings, "no report figures found"
    twinned = [t for t in timings if t.same is not None]
    # A twin whose figure was renamed or removed would silently compare nothing.
    assert set(reports_sql.HAND) - {t.figure for t in twinned} == set()
    different = [(t.figure, t.filters, t.error or "rows differ") for t in twinned if not t.same]
    assert different == []
    # Something was counted: the comparison would be empty-against-empty otherwise.
    assert sum(t.rows for t in twinned) > 0
