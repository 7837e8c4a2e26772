"""``silta api-client create|list|revoke``: an administrator registers the systems and apps that use the API."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group("api-client")
def api_client_command() -> None:
    """Clients of the FHIR API (SMART on FHIR): backend services and user-facing apps."""


@api_client_command.command("create")
@click.argument("name")
@click.option("--jwks-url", help="https URL of the service's public keys (a backend service).")
@click.option("--jwks-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file with the service's public keys as a JWKS (a backend service).")
@click.option("--unit", "units", multiple=True, help="Unit code whose clients the service may read (repeatable).")
@click.option("--all-units", is_flag=True, help="The service may read the clients of every unit.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="A user-facing app's redirect URI (repeatable).")
def create_command(name, jwks_url, jwks_file, units, all_units, redirect_uris) -> None:
    """Register NAME; prints its client_id."""
    from portal.cli import start_app
    from portal.extensions import db
    from portal.smart import operations

    jwks = _read_jwks(jwks_file) if jwks_file else None
    app = start_app("api-client create")
    with app.app_context():
        try:
            client = operations.create_client(name, jwks=jwks, jwks_url=jwks_url, redirect_uris=redirect_uris,
                                              unit_codes=units, all_units=all_units, created_by="command line")
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"registered {client.name} ({client.kind}): client_id {client.client_id}")


def _read_jwks(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: not a JSON file ({type(exc).__name__})") from None


@api_client_command.command("list")
def list_command() -> None:
    """The registered clients: name, kind, client_id, units, state."""
    from portal.cli import start_app
    from portal.smart import queries

    app = start_app("api-client list")
    with app.app_context():
        for c in queries.clients():
            units = "all units" if c.all_units else ",".join(u.code for u in c.units) or "-"
            state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
            click.echo(f"{c.name}\t{c.kind}\t{c.client_id}\t{units}\t{state}")


@api_client_command.command("revoke")
@click.argument("name")
def revoke_command(name) -> None:
    """Revoke NAME: no new tokens, and the ones it holds stop working at once."""
    from portal.cli import start_app
    from portal.extensions import db
    from portal.smart import operations, queries

    app = start_app("api-client revoke")
    with app.app_context():
        client = queries.by_name(name)
        if client is None:
            raise click.ClickException(f"no API client named {name!r}")
        ended = operations.revoke_client(client)
        db.session.commit()
        click.echo(f"revoked {client.name}; {ended} tokens ended")
