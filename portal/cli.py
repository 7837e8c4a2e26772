"""The ``silta`` command line (a click group: serve, prepare, worker, bot, backup, restore, check …),
the Flask commands (``flask --app portal silta-seed``), and the start-up steps they and ``python -m portal`` share.

Other features add their subcommands to :data:`main` (e.g. ``create-admin``) from their own modules,
registered in :func:`_register_commands`.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade

from portal.extensions import db
from portal.i18n import compile_catalogs
from portal.programmes import registry
from portal.programmes.operations import sync_programmes


def start_app(what: str) -> Flask:
    """Logging, compiled catalogs and the app, for a command that runs a process (``python -m …``).

    A broken configuration or programme definition ends the process with its message and exit code 2.
    """
    import logging
    import sys

    from portal import create_app
    from portal.config import ConfigError
    from portal.programmes.loader import ProgrammeDefinitionError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    compile_catalogs()
    try:
        return create_app()
    except (ConfigError, ProgrammeDefinitionError) as exc:
        print(f"{what} cannot start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def prepare_database(app: Flask) -> None:
    """Migrate to the newest schema, sync programme rows, and seed the demo county on a first start."""
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        sync_programmes(registry.loaded())
        db.session.commit()
        if current_app.config["SEED_DEMO_ON_START"]:
            _seed()


def _seed() -> None:
    from portal.demo.seed import seed_demo

    summary = seed_demo(db.session, {c: i.definition for c, i in registry.loaded().items()},
                        seed=current_app.config["DEMO_SEED"])
    db.session.commit()
    click.echo(f"demo county: {summary}")


def init_app(app: Flask) -> None:
    @app.cli.command("silta-seed")
    def seed_command():
        """Seed the demo county (does nothing if it is already there)."""
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
        click.echo(f"compiled {compile_catalogs()} catalogs")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Silta: run and operate an installation (settings from PORTAL_* variables, see the README)."""


@main.command()
@click.option("--bind", envvar="PORTAL_BIND", default="127.0.0.1:8000", show_default=True,
              help="Address to listen on, host:port (PORTAL_BIND).")
@click.option("--workers", envvar="PORTAL_WEB_WORKERS", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes of this server (PORTAL_WEB_WORKERS).")
def serve(bind: str, workers: int) -> None:
    """The production web server (gunicorn); run `silta prepare` once per deploy before it."""
    from portal import serving

    serving.serve(bind, workers)


def _register_commands() -> None:
    """Subcommands that live with their feature."""


_register_commands()
