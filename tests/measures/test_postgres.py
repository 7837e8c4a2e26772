"""On PostgreSQL: simultaneous submissions of one occurrence (a double click, two tabs) store one answer; the
set-based reminder scan (its time-window and IN-list queries) finds the same reminders as on SQLite."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.extensions import db as _db
from portal.measures import operations, queries
from portal.measures.models import Answer, AnswerStatus
from portal.measures.operations import MeasureRefused
from portal.programmes.models import Enrolment
from tests.measures.conftest import ors_form
from tests.measures.test_reminders import (  # noqa: F401 -- collected again here, on PostgreSQL
    test_3x10d_at_the_start_is_reminded_once_in_daytime,
    test_srs_after_a_phone_meeting_but_not_after_a_video_meeting,
)

pytestmark = pytest.mark.postgres
RACERS = 8


@pytest.fixture
def app(pg_app):
    return pg_app


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": RACERS + 2}}


@pytest.mark.parametrize("same_form", [True, False])
def test_simultaneous_submissions_store_one_answer(app, db, enrolment, meeting, client_row, same_form):
    user_id, enrolment_id, key, at = client_row.user.id, enrolment.id, f"appt-{meeting.id}", meeting.starts_at
    version_id = operations.instrument_version("ors").id
    db.session.commit()
    barrier = threading.Barrier(RACERS, timeout=30)
    outcomes: list[str] = []

    def race(n: int) -> None:
        with app.test_request_context():  # url_for and the locale, as in a request
            user, row = _db.session.get(User, user_id), _db.session.get(Enrolment, enrolment_id)
            occurrence = queries.find_occurrence(row, "ors", key, at, open_only=True)
            barrier.wait()
            try:
                operations.submit(user, row, occurrence, version_id,
                                  ors_form(version_id, token="same" if same_form else f"tab-{n}"),
                                  "same" if same_form else f"tab-{n}")
                _db.session.commit()
                outcomes.append("stored")
            except MeasureRefused as exc:
                _db.session.rollback()
                outcomes.append(exc.key)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    assert db.session.scalar(select(Answer)).status is AnswerStatus.SUBMITTED
    if same_form:
        assert outcomes.count("stored") == RACERS, outcomes  # the same form again is the same submission
    else:
        assert sorted(set(outcomes)) == ["already", "stored"], outcomes
