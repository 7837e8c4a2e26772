"""``silta audit verify`` and ``silta audit seal``: the tamper-evident chain from the command line."""

from __future__ import annotations

import click


@click.group("audit")
def audit_command() -> None:
    """The audit trail's hash chain (see portal/audit/chain.py)."""


@audit_command.command("verify")
def verify_command() -> None:
    """Recompute the chain; exit 1 naming the first broken record, 0 when it is unbroken."""
    from portal.audit import chain
    from portal.cli import start_app

    app = start_app("audit verify")
    with app.app_context():
        verdict = chain.verify()
    if not verdict.ok:
        click.echo(f"audit chain BROKEN at record {verdict.broken_id}: {verdict.reason} "
                   f"({verdict.sealed} records verified before it)", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain unbroken: {verdict.sealed} records verified, {verdict.unsealed} not sealed yet")


@audit_command.command("seal")
def seal_command() -> None:
    """Link the records written since the last seal (the job runner does this every run)."""
    from portal.audit import chain
    from portal.cli import start_app

    app = start_app("audit seal")
    with app.app_context():
        click.echo(f"sealed {chain.seal_all()} audit records")
