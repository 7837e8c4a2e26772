"""The ``silta`` command line (a click group: serve, prepare, worker, bot, backup, restore, check …),
the Flask commands (``flask --app portal silta-seed``), and the start-up steps they and ``python -m portal`` share.

Other features add their subcommands to :data:`main` (e.g. ``create-admin``) from their own modules,
registered in :func:`_register_commands`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

# Only light imports at the top: `silta serve` runs gunicorn's master from this module, and its gevent
# workers patch the standard library after the fork (portal/serving.py); the app loads in the worker.


def start_app(what: str, overrides: dict | None = None) -> Flask:
    """Logging, compiled catalogs and the app, for a command that runs a process (``python -m …``, ``silta …``).

    A broken configuration or programme definition ends the process with its message and exit code 2.
    """
    import logging

    from portal import create_app
    from portal.config import ConfigError
    from portal.i18n import compile_catalogs
    from portal.programmes.loader import ProgrammeDefinitionError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        compile_catalogs()
    except OSError as exc:  # an installed package's catalogs are compiled in the wheel; a read-only copy is fine
        logging.getLogger(__name__).info("catalogs not compiled here: %s", type(exc).__name__)
    try:
        return create_app(overrides)
    except (ConfigError, ProgrammeDefinitionError) as exc:
        print(f"{what} cannot start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def prepare_database(app: Flask, seed_demo: bool | None = None) -> None:
    """The deploy step (``silta prepare``; ``python -m portal`` at every start): migrate to the newest schema
    and sync the programme rows; seed the demo county when asked (default: PORTAL_SEED_DEMO_ON_START, which
    production turns off)."""
    from flask_migrate import upgrade

    from portal.extensions import db
    from portal.programmes import registry
    from portal.programmes.operations import sync_programmes

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        sync_programmes(registry.loaded())
        db.session.commit()
        if current_app.config["SEED_DEMO_ON_START"] if seed_demo is None else seed_demo:
            _seed()


def _seed() -> None:
    from sqlalchemy import text

    from portal.demo.seed import seed_demo
    from portal.extensions import db
    from portal.programmes import registry

    summary = seed_demo(db.session, {c: i.definition for c, i in registry.loaded().items()},
                        seed=current_app.config["DEMO_SEED"])
    db.session.commit()
    if summary.created and db.engine.dialect.name == "postgresql":
        # A bulk load: the planner's statistics still describe empty tables, and autovacuum would analyze
        # them only after its next nap (up to a minute). Until then PostgreSQL chose nested loops over the
        # caseload's 600 answers: the worker's FIT query took 170 ms instead of 1 ms (bench/pages.py).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    click.echo(f"demo county: {summary}")


def init_app(app: Flask) -> None:
    @app.cli.command("silta-seed")
    def seed_command():
        """Seed the demo county (does nothing if it is already there)."""
        from portal.programmes import registry
        from portal.programmes.operations import sync_programmes

        sync_programmes(registry.loaded())
        _seed()

    @app.cli.command("video-bot-token")
    def bot_token_command():
        """Print the echo bot's credential (SILTA_BOT_TOKEN); it stays valid until the secret key changes."""
        from portal.video.tickets import bot_token

        click.echo(bot_token())

    @app.cli.command("silta-compile-translations")
    def compile_command():
        """Compile the translation catalogs (.po → .mo)."""
        from portal.i18n import compile_catalogs

        click.echo(f"compiled {compile_catalogs()} catalogs")


class _Commands(click.Group):
    """Subcommands that live with their feature (``LAZY_COMMANDS``) are imported only when one runs or --help
    lists them: ``silta serve``'s gunicorn master must not import the app's modules (requests, ssl …) before
    its gevent workers patch the standard library, and every command starts faster."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            import importlib

            module, attribute = LAZY_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Silta: run and operate an installation (settings from PORTAL_* variables, see the README)."""


def _settings(overrides: dict | None = None) -> dict:
    """The configuration without building the app (what serve's master and check need)."""
    from portal import config

    try:
        return config.load(overrides)
    except config.ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None


@main.command()
@click.option("--bind", multiple=True, metavar="HOST:PORT",
              help="Address to listen on; repeat for several (default PORTAL_BIND, 127.0.0.1:8000).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes of this server (default PORTAL_WEB_WORKERS, 1).")
def serve(bind: tuple[str, ...], workers: int | None) -> None:
    """The production web server (gunicorn); run `silta prepare` once per deploy before it."""
    from portal import serving

    settings = _settings()
    serving.serve(list(bind) or list(settings["BIND"]), workers or settings["WEB_WORKERS"])


@main.command()
@click.option("--seed-demo", is_flag=True, help="Also seed the demo county (refused when PORTAL_ENV=production).")
def prepare(seed_demo: bool) -> None:
    """The deploy step, run once per deploy before (re)starting the web processes: compile the catalogs if
    needed, apply the migrations, sync the programme definitions."""
    if seed_demo and _settings()["ENV"] == "production":
        raise click.ClickException("the demo county is never seeded in production (PORTAL_ENV=production)")
    app = start_app("silta prepare")
    prepare_database(app, seed_demo=seed_demo)
    click.echo("prepared: catalogs compiled, schema up to date, programmes in sync")


@main.command()
def worker() -> None:
    """The job runner (reminders, notices): huey's consumer with PORTAL_REDIS_URL, else a polling loop."""
    from portal.notifications import jobs

    sys.exit(jobs.run_worker(start_app("Silta's job worker")))


@main.command()
def bot() -> None:
    """The pre-call echo bot (needs the rtc extra: pip install 'silta[rtc]')."""
    import importlib.util
    import os

    if importlib.util.find_spec("aiortc") is None:
        raise click.ClickException("the echo bot needs aiortc and PyAV: pip install 'silta[rtc]'")
    app = start_app("Silta's echo bot")
    from portal.video.tickets import bot_token

    with app.app_context():
        token = bot_token()
    env = {**os.environ, "SILTA_RTC_SERVER": app.config["RTC_BOT_SERVER"], "SILTA_BOT_TOKEN": token,
           "SILTA_BOT_SESSIONS": str(app.config["RTC_BOT_SESSIONS"])}
    # The token goes through the environment (``ps`` shows arguments); exec drops this process's Flask app.
    command = [sys.executable, "-m", "rtc.bots", "--workers", str(max(1, app.config["RTC_BOTS"]))]
    os.execve(sys.executable, command, env)


@main.command()
@click.argument("target", required=False, type=click.Path(path_type=Path))
@click.option("--keep-days", type=click.IntRange(min=1), default=None,
              help="Then delete this directory's silta-* backups older than this many days.")
def backup(target: Path | None, keep_days: int | None) -> None:
    """Back up the database to TARGET, a new file or a directory (default: silta-<UTC time>.dump or .sqlite3
    here); the file is readable by its owner only."""
    from portal.production import backup as backups

    settings = _settings()
    url = settings["SQLALCHEMY_DATABASE_URI"]
    target = target or Path(".")
    if target.is_dir():
        target = target / backups.default_name(url)
    try:
        outcome = backups.backup(url, target, settings["PG_BIN_DIR"])
    except backups.BackupError as exc:
        raise click.ClickException(f"backup failed: {exc}") from None
    click.echo(f"backup written: {outcome.path} ({outcome.size} bytes, {outcome.seconds:.1f} s)")
    if keep_days:
        for old in backups.prune(outcome.path.parent, keep_days, keep=outcome.path):
            click.echo(f"deleted old backup: {old}")


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--database-url", default=None, help="The EMPTY database to restore into (default "
              "PORTAL_DATABASE_URL).")
def restore(source: Path, database_url: str | None) -> None:
    """Restore a backup into an empty database; then run `silta prepare` with this version's code."""
    from portal.production import backup as backups

    settings = _settings()
    try:
        outcome = backups.restore(source, database_url or settings["SQLALCHEMY_DATABASE_URI"],
                                  settings["PG_BIN_DIR"])
    except backups.BackupError as exc:
        raise click.ClickException(f"restore failed: {exc}") from None
    click.echo(f"restored {source} ({outcome.seconds:.1f} s)")


@main.command()
def check() -> None:
    """Check the configuration and the connections (database, Redis, TURN, mail, SMS); exit 1 on a failure."""
    from portal.config import MIGRATIONS
    from portal.production import check as checks

    results = [_application_check(checks.Result)] + checks.run(_settings(), str(MIGRATIONS))
    for result in results:
        click.echo(result.line())
    if any(result.status == "FAIL" for result in results):
        sys.exit(1)


def _application_check(result):
    """Build the app once: programme definitions, notification backends and every other start-up check."""
    from portal import create_app

    try:
        create_app()
    except Exception as exc:  # ConfigError and ProgrammeDefinitionError say what to fix; others by class
        message = str(exc) if exc.__class__.__name__.endswith("Error") and "://" not in str(exc) else ""
        return result("FAIL", "application", message or f"cannot start ({type(exc).__name__})")
    return result("ok", "application", "configuration and programme definitions load")


# Subcommands that live with their feature: name -> "module:attribute", imported when used (see _Commands).
LAZY_COMMANDS: dict[str, str] = {
    "create-admin": "portal.auth.commands:create_admin_command",
    "audit": "portal.audit.commands:audit_command",
    "api-client": "portal.smart.commands:api_client_command",
}
