"""``silta backup`` and ``silta restore``.

PostgreSQL: ``pg_dump`` in its custom format (``-Fc``: compressed, restorable table by table), restored
with ``pg_restore`` into an EMPTY database in one transaction, so a failed restore leaves nothing half
done. The audit trail's trigger refuses UPDATE, DELETE and TRUNCATE, never INSERT: ``pg_restore`` loads
the rows with COPY before it creates the triggers, so the trail comes back whole and stays protected.
SQLite (the embedded default): the sqlite3 online backup API, a consistent copy while Silta runs.

A backup holds every client's data: it is written readable by its owner only (0600).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from portal.production import database


class BackupError(RuntimeError):
    """The backup or restore did not happen; the message says why (no passwords in it)."""


@dataclass
class Outcome:
    path: Path
    seconds: float
    size: int


def default_name(url: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"silta-{stamp}.{'dump' if database.is_postgres(url) else 'sqlite3'}"


def backup(url: str, target: Path, pg_bin_dir: str = "") -> Outcome:
    """Write a backup of the database at ``url`` to ``target`` (which must not exist yet)."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    started = time.monotonic()
    partial = target.with_name(target.name + ".partial")
    try:
        _private_file(partial)
        if database.is_postgres(url):
            _run([database.pg_tool("pg_dump", pg_bin_dir), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}"], url, "pg_dump")
            _run([database.pg_tool("pg_restore", pg_bin_dir), "--list", str(partial)], url, "pg_restore --list")
        elif database.is_sqlite(url):
            _sqlite_copy(database.sqlite_path(url), partial)
        else:
            raise BackupError(f"backups support PostgreSQL and SQLite, not {database.shown(url)}")
        partial.rename(target)
    except (OSError, ValueError) as exc:
        raise BackupError(str(exc)) from None
    finally:
        partial.unlink(missing_ok=True)
    return Outcome(target, time.monotonic() - started, target.stat().st_size)


def restore(source: Path, url: str, pg_bin_dir: str = "") -> Outcome:
    """Restore ``source`` into the EMPTY database at ``url``; a database with any table is refused."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    started = time.monotonic()
    try:
        if database.is_postgres(url):
            _refuse_non_empty(url)
            _run([database.pg_tool("pg_restore", pg_bin_dir), "--no-owner", "--no-privileges", "--exit-on-error",
                  "--single-transaction", f"--dbname={database.libpq_env(url)['PGDATABASE']}", str(source)],
                 url, "pg_restore")
        elif database.is_sqlite(url):
            target = database.sqlite_path(url)
            if target.exists() and target.stat().st_size:
                _refuse_non_empty(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(source, target)
        else:
            raise BackupError(f"restore supports PostgreSQL and SQLite, not {database.shown(url)}")
    except (OSError, ValueError) as exc:
        raise BackupError(str(exc)) from None
    return Outcome(source, time.monotonic() - started, source.stat().st_size)


def prune(directory: Path, keep_days: int, keep: Path) -> list[Path]:
    """Delete the directory's backups (silta-*.dump, silta-*.sqlite3) older than ``keep_days``; never ``keep``."""
    cutoff = time.time() - keep_days * 86400
    deleted = []
    for path in sorted(directory.glob("silta-*")):
        if path.suffix in (".dump", ".sqlite3") and path != keep and path.stat().st_mtime < cutoff:
            path.unlink()
            deleted.append(path)
    return deleted


def _refuse_non_empty(url: str) -> None:
    tables = database.table_names(url)
    if tables:
        raise BackupError(f"{database.shown(url)} is not empty ({len(tables)} tables): restore only into a new, "
                          "empty database, then point PORTAL_DATABASE_URL at it")


def _run(command: list[str], url: str, what: str) -> None:
    result = subprocess.run(command, env=database.libpq_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        # The tools' own messages name objects, not row data; the password is in the environment only.
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise BackupError(f"{what} failed (exit {result.returncode}): {' / '.join(detail)}")


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    if not target.exists():
        _private_file(target)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a SQLite database ({exc})") from None
    finally:
        dst.close()
        src.close()


def _private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
