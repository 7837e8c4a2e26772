"""The `silta` operations commands: check, backup and restore (fast; in-process through click's runner)."""

from __future__ import annotations

import shutil
import stat
import uuid

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text

from portal.audit.models import AuditAction, AuditRecord
from portal.audit.operations import record
from portal.cli import main
from portal.extensions import db
from tests.conftest import TEST_SECRET
from tests.support.services import free_port


def _env(database_url: str, **more: str) -> dict[str, str]:
    return {"PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": TEST_SECRET,
            "PORTAL_IDENTITY_HASH_KEY": "test-identity-hash-key", "PORTAL_REDIS_URL": "", **more}


def _silta(*args: str, env: dict[str, str]):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def sqlite_copy(sqlite_template, tmp_path):
    path = tmp_path / "silta.sqlite3"
    shutil.copy(sqlite_template, path)
    return path


def test_check_passes_on_a_prepared_database(sqlite_copy):
    result = _silta("check", env=_env(f"sqlite:///{sqlite_copy}"))
    assert result.exit_code == 0, result.output
    assert "ok   database:" in result.output and "schema up to date" in result.output


def test_check_fails_clearly_on_a_wrong_database_url_and_a_missing_redis():
    url = f"postgresql+psycopg://silta:hunter2-secret@127.0.0.1:{free_port()}/nowhere"
    result = _silta("check", env=_env(url, PORTAL_REDIS_URL=f"redis://:redis-secret@127.0.0.1:{free_port()}/0"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("FAIL database: cannot connect to postgresql+psycopg://silta:***@") for line in lines)
    assert any(line.startswith("FAIL redis: cannot reach 127.0.0.1:") for line in lines), result.output
    assert "hunter2" not in result.output and "redis-secret" not in result.output


def test_check_fails_on_a_database_behind_the_code(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    create_engine(f"sqlite:///{empty}").connect().close()
    result = _silta("check", env=_env(f"sqlite:///{empty}"))
    assert result.exit_code == 1
    assert "run `silta prepare`" in result.output


def test_sqlite_backup_and_restore(sqlite_copy, tmp_path):
    env = _env(f"sqlite:///{sqlite_copy}")
    backups = tmp_path / "backups"
    backups.mkdir()
    result = _silta("backup", str(backups), env=env)
    assert result.exit_code == 0, result.output
    (backup,) = backups.glob("silta-*.sqlite3")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # it holds every client's data

    refused = _silta("restore", str(backup), env=env)  # the live database is not empty
    assert refused.exit_code == 1 and "is not empty" in refused.output

    target = tmp_path / "restored.sqlite3"
    restored = _silta("restore", str(backup), "--database-url", f"sqlite:///{target}", env=env)
    assert restored.exit_code == 0, restored.output
    assert _tables(f"sqlite:///{target}") == _tables(f"sqlite:///{sqlite_copy}")


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"))
        return list(names.scalars())


@pytest.mark.postgres
def test_postgres_backup_restores_the_audit_trail_whole(pg_app, postgres_server, tmp_path):
    record(None, AuditAction.LOGIN_FAILED, "auth", "user", object_id="backup-test")
    db.session.commit()
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    before = db.session.scalars(select(AuditRecord.id).order_by(AuditRecord.id)).all()
    db.session.remove()
    env = _env(url, PORTAL_PG_BIN_DIR=str(_bindir()))

    result = _silta("backup", str(tmp_path / "silta.dump"), env=env)
    assert result.exit_code == 0, result.output
    fresh = f"r_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(fresh)
    fresh_url = url.rsplit("/", 1)[0] + f"/{fresh}"
    try:
        result = _silta("restore", str(tmp_path / "silta.dump"), "--database-url", fresh_url, env=env)
        assert result.exit_code == 0, result.output
        with postgres_server.connect(fresh) as connection:
            ids = [row[0] for row in connection.execute("SELECT id FROM audit_records ORDER BY id")]
            assert ids == before
            # The restored trail is as protected as the original: the trigger came back after the rows.
            with pytest.raises(psycopg.errors.RaiseException):
                connection.execute("DELETE FROM audit_records")
        again = _silta("restore", str(tmp_path / "silta.dump"), "--database-url", fresh_url, env=env)
        assert again.exit_code == 1 and "is not empty" in again.output
    finally:
        postgres_server.drop_database(fresh)


def _bindir():
    from tests.support.services import pg_bindir

    return pg_bindir()


def test_missing_catalogs_are_compiled_when_the_app_is_built(tmp_path):
    """Under gunicorn nothing else compiles them (a checkout whose `silta prepare` has not run yet)."""
    from portal.i18n import TRANSLATIONS, ensure_catalogs

    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo", "pending"))
    ensure_catalogs(copy)
    compiled = sorted(path.relative_to(copy).as_posix() for path in copy.glob("*/LC_MESSAGES/*.mo"))
    assert compiled == ["en/LC_MESSAGES/messages.mo", "fi/LC_MESSAGES/messages.mo", "sv/LC_MESSAGES/messages.mo"]


def test_the_bot_says_what_to_install_without_the_rtc_extra(sqlite_copy, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "aiortc" else real(name, *a))
    result = CliRunner().invoke(main, ["bot"], env=_env(f"sqlite:///{sqlite_copy}"))
    assert result.exit_code == 1
    assert "pip install 'silta[rtc]'" in result.output
