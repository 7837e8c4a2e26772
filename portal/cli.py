"""Flask commands: ``flask --app portal silta-seed``, and the start-up steps the run command uses."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade

from portal.extensions import db
from portal.i18n import compile_catalogs
from portal.programmes import registry
from portal.programmes.operations import sync_programmes


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

    @app.cli.command("silta-compile-translations")
    def compile_command():
        """Compile the translation catalogs (.po → .mo)."""
        click.echo(f"compiled {compile_catalogs()} catalogs")
