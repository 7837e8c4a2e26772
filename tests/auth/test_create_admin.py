"""`silta create-admin`: the first administrator of an empty database, with a one-time activation link."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from portal.cli import main
from tests.conftest import TEST_SECRET


@pytest.fixture
def empty_db(sqlite_template, tmp_path, monkeypatch):
    path = tmp_path / "empty.sqlite3"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("PORTAL_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("PORTAL_SEED_DEMO_ON_START", "false")
    monkeypatch.setenv("PORTAL_PUBLIC_BASE_URL", "https://silta.example.fi")
    return path


def test_first_admin_gets_a_link_and_a_second_is_refused(empty_db):
    runner = CliRunner()
    first = runner.invoke(main, ["create-admin", "Boss@Example.fi", "--name", "Pää Käyttäjä"])
    assert first.exit_code == 0, first.output
    assert re.search(r"https://silta\.example\.fi/activate/[A-Za-z0-9_-]{40,}", first.output)
    rows = create_engine(f"sqlite:///{empty_db}").connect().execute(text(
        "SELECT u.email, u.password_hash, r.role FROM users u JOIN user_roles r ON r.user_id = u.id")).all()
    assert rows == [("boss@example.fi", None, "admin")]
    second = runner.invoke(main, ["create-admin", "other@example.fi"])
    assert second.exit_code != 0 and "--force" in second.output


def test_password_from_stdin_and_force(empty_db):
    runner = CliRunner()
    assert runner.invoke(main, ["create-admin", "boss@example.fi"]).exit_code == 0
    short = runner.invoke(main, ["create-admin", "two@example.fi", "--force", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "12" in short.output
    ok = runner.invoke(main, ["create-admin", "two@example.fi", "--force", "--password-stdin"],
                       input="a long enough password\n")
    assert ok.exit_code == 0 and "/activate/" not in ok.output
    again = runner.invoke(main, ["create-admin", "two@example.fi", "--force"])
    assert again.exit_code != 0 and "exists already" in again.output
