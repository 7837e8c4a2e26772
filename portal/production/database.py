"""Where the database is, told safely: URLs without passwords, libpq settings for the PostgreSQL tools."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url


def shown(url: str) -> str:
    """The URL for messages and logs: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: say so without echoing it (it may hold a password)
        return "<unparsable database URL>"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def libpq_env(url: str) -> dict[str, str]:
    """The environment the PostgreSQL tools read (PGHOST …): the password never goes on a command line."""
    parsed: URL = make_url(url)
    env = {**os.environ}
    for var in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE"):
        env.pop(var, None)
    # A unix socket is given as ?host=/run/postgresql (and maybe &port=5433) in the URL's query.
    values = {"PGHOST": parsed.host or parsed.query.get("host"), "PGPORT": parsed.port or parsed.query.get("port"),
              "PGUSER": parsed.username, "PGPASSWORD": parsed.password, "PGDATABASE": parsed.database}
    for key, value in values.items():
        if value:
            env[key] = str(value if not isinstance(value, tuple) else value[0])
    sslmode = parsed.query.get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def pg_tool(name: str, bin_dir: str = "") -> str:
    """A PostgreSQL client program: from PORTAL_PG_BIN_DIR when set, else from PATH."""
    if bin_dir:
        path = Path(bin_dir) / name
        if not path.exists():
            raise FileNotFoundError(f"{name} is not in PORTAL_PG_BIN_DIR ({bin_dir})")
        return str(path)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not on PATH: install the PostgreSQL client (Debian: postgresql-client)"
                                " or set PORTAL_PG_BIN_DIR")
    return found


def table_names(url: str) -> list[str]:
    """The tables a database holds (an empty list for an empty database)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()
