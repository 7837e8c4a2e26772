"""The same schema and rules on a real PostgreSQL (started by a fixture), not only on SQLite."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import Role
from portal.people.queries import visible_clients
from portal.programmes.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.postgres


def test_migrations_match_the_models(app, db):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == [], f"models and migrations differ; run flask db migrate: {diff}"


def test_downgrade_and_upgrade_again(app, db):
    directory = app.extensions["migrate"].directory
    db.session.remove()
    downgrade(directory=directory, revision="base")
    assert db.session.execute(text("SELECT to_regclass('public.clients')")).scalar() is None
    db.session.remove()
    upgrade(directory=directory)
    assert db.session.execute(text("SELECT to_regclass('public.clients')")).scalar() == "clients"


def test_audit_records_are_immutable_in_postgres(db):
    db.session.add(AuditRecord(feature="test", action=AuditAction.READ, object_type="client"))
    db.session.commit()
    for statement in ("UPDATE audit_records SET feature = 'x'", "DELETE FROM audit_records"):
        with pytest.raises(DatabaseError, match="cannot be changed"):
            db.session.execute(text(statement))
        db.session.rollback()


def test_one_active_enrolment_per_programme(db, create_client, create_enrolment):
    client_row = create_client()
    create_enrolment(client_row)
    db.session.commit()
    with pytest.raises(IntegrityError):
        create_enrolment(client_row)
    db.session.rollback()
    # An ended enrolment does not block a new one.
    old = db.session.scalar(select(Enrolment))
    old.status, old.ended_on = EnrolmentStatus.ENDED, date(2026, 3, 1)
    db.session.commit()
    create_enrolment(client_row)
    db.session.commit()


@pytest.mark.parametrize("statement", [
    "UPDATE enrolments SET status = 'ended'",                       # ended without a date
    "UPDATE enrolments SET ended_on = '2020-01-01', status = 'ended'",  # ended before it started
    "UPDATE enrolments SET status = 'paused'",                      # not a status at all
    "UPDATE clients SET birth_year = 1850",
])
def test_bad_states_are_impossible(db, create_client, create_enrolment, statement):
    create_enrolment(create_client())
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()


def test_visibility_query_on_postgres(db, create_staff, create_client, create_enrolment):
    worker, stranger = create_staff(Role.WORKER), create_staff(Role.WORKER, in_unit=None)
    mine = create_client()
    create_enrolment(mine, coordinator=worker)
    create_enrolment(create_client(), coordinator=stranger)
    db.session.commit()
    assert [c.id for c in db.session.scalars(visible_clients(worker))] == [mine.id]


def test_pages_work_on_postgres(app, db, client, login, create_staff, create_client, create_enrolment):
    worker = create_staff(Role.WORKER)
    client_row = create_client()
    create_enrolment(client_row, coordinator=worker)
    login(worker)
    assert client.get("/work").status_code == 200
    assert client.get(f"/work/clients/{client_row.id}").status_code == 200
    assert client.get("/readyz").get_json()["checks"]["database"] == {"state": "ok"}
