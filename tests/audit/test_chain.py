"""Tamper evidence: the sealed hash chain, what the database still refuses, and ``silta audit verify``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from portal.audit import chain
from portal.audit.commands import audit_command
from portal.audit.models import AuditAction
from portal.audit.operations import record, record_list
from portal.auth.models import Role


@pytest.fixture
def trail(db, create_staff, create_client):
    """Five sealed records, the third a list page naming two clients."""
    worker, first, second = create_staff(Role.WORKER), create_client(), create_client()
    ids = []
    for n in range(5):
        entry = (record_list(worker, "caseload", "caseload.index", [first.id, second.id]) if n == 2 else
                 record(worker, AuditAction.READ, "caseload", "client", first.id, first.id, {"fields": ["phone"]}))
        db.session.flush()
        ids.append(entry if n == 2 else entry.id)  # record_list gives the id
    db.session.commit()
    assert chain.seal() == 5
    return ids


def _tamper(db, *statements: str) -> None:
    """What a database owner can do: the triggers off (SQLite: dropped), then raw SQL."""
    if db.engine.dialect.name == "postgresql":
        statements = ("ALTER TABLE audit_records DISABLE TRIGGER USER",
                      "ALTER TABLE audit_record_clients DISABLE TRIGGER USER", *statements)
    else:
        statements = ("DROP TRIGGER audit_records_no_update", "DROP TRIGGER audit_records_no_delete",
                      "DROP TRIGGER audit_record_clients_no_delete", *statements)
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()


def test_sealed_chain_verifies_and_new_records_wait_for_the_next_seal(db, trail):
    assert chain.verify() == chain.Verdict(sealed=5, unsealed=0)
    record(None, AuditAction.LOGIN, "auth", "user")
    db.session.commit()
    assert chain.verify() == chain.Verdict(sealed=5, unsealed=1)
    assert chain.seal() == 1 and chain.seal() == 0
    assert chain.verify().sealed == 6


def test_an_edited_record_is_found(db, trail):
    _tamper(db, f"UPDATE audit_records SET object_id = '999' WHERE id = {trail[1]}")
    assert (chain.verify().broken_id, chain.verify().ok) == (trail[1], False)


def test_a_deleted_record_is_found_at_the_next_one(db, trail):
    _tamper(db, f"DELETE FROM audit_records WHERE id = {trail[3]}")
    assert chain.verify().broken_id == trail[4]


def test_a_client_removed_from_a_list_record_is_found(db, trail):
    _tamper(db, f"DELETE FROM audit_record_clients WHERE record_id = {trail[2]} AND client_id = "
                f"(SELECT MIN(client_id) FROM audit_record_clients WHERE record_id = {trail[2]})")
    assert chain.verify().broken_id == trail[2]


def test_the_database_lets_the_seal_be_set_once_and_nothing_else(db, trail):
    for statement in (f"UPDATE audit_records SET chain_hash = 'x' WHERE id = {trail[0]}",
                      f"UPDATE audit_records SET chain_hash = NULL WHERE id = {trail[0]}",
                      f"DELETE FROM audit_record_clients WHERE record_id = {trail[2]}"):
        with pytest.raises(DatabaseError):
            db.session.execute(text(statement))
        db.session.rollback()
    assert chain.verify().ok


def test_verify_command_exits_non_zero_naming_the_broken_record(app, db, trail, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", str(db.engine.url))
    runner = CliRunner()
    result = runner.invoke(audit_command, ["verify"])
    assert result.exit_code == 0 and "5 records verified" in result.output, result.output
    _tamper(db, f"UPDATE audit_records SET feature = 'people' WHERE id = {trail[0]}")
    result = runner.invoke(audit_command, ["verify"])
    assert result.exit_code == 1 and f"record {trail[0]}" in result.output, result.output


@pytest.mark.postgres
def test_sealing_waits_for_open_writers_only_so_long_on_postgresql(pg_app, monkeypatch):
    from portal.extensions import db

    monkeypatch.setattr(chain, "LOCK_TIMEOUT_MS", 50)
    with db.engine.connect() as writer:  # a request that wrote a record and has not committed yet
        writer.execute(text("INSERT INTO audit_records (at, feature, action, object_type) "
                            "VALUES (now(), 'auth', 'login', 'user')"))
        assert chain.seal() == 0  # postponed, not stuck
        writer.commit()
    assert chain.seal() == 1 and chain.verify().ok


def test_the_job_runner_seals_after_each_run(app, db, create_staff):
    from portal.notifications.jobs import run_jobs

    record(create_staff(Role.WORKER), AuditAction.LOGIN, "auth", "user")
    db.session.commit()
    run_jobs(app)
    assert chain.verify() == chain.Verdict(sealed=1, unsealed=0)


def test_sealing_goes_a_batch_per_transaction(db, create_staff):
    worker = create_staff(Role.WORKER)
    for _ in range(5):
        record(worker, AuditAction.LOGIN, "auth", "user")
    db.session.commit()
    assert chain.seal(limit=2) == 2 and chain.verify() == chain.Verdict(sealed=2, unsealed=3)
    assert chain.seal_all() == 3 and chain.verify() == chain.Verdict(sealed=5, unsealed=0)
