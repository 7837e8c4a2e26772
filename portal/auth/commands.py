"""``silta create-admin EMAIL``: the first administrator of an empty installation."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import func, inspect, select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth import tokens
from portal.auth.models import AccountKind, JobTitle, Role, TokenPurpose, User, UserRole
from portal.auth.operations import PasswordRefused, activation_link, check_new_password, find_by_email
from portal.auth.passwords import hash_password
from portal.extensions import db


class AdminExists(RuntimeError):
    """There is an administrator already (use --force to add another)."""


def create_admin(email: str, name: str, password: str | None = None, force: bool = False) -> tuple[User, str | None]:
    """Make an administrator; returns the account and its one-time activation link (None with a password)."""
    email = email.strip().lower()
    if not force and _admin_count() > 0:
        raise AdminExists()
    if find_by_email(email) is not None:
        raise click.UsageError(f"an account with {email} exists already")
    user = User(kind=AccountKind.STAFF, email=email, display_name=name, job_title=JobTitle.SYSTEM_ADMINISTRATOR,
                roles=[UserRole(role=Role.ADMIN)])
    db.session.add(user)
    db.session.flush()
    link = None
    if password is not None:
        check_new_password(user, password)
        user.password_hash = hash_password(password)
    else:
        ttl = timedelta(days=current_app.config["INVITATION_DAYS"])
        link = activation_link(tokens.issue(user, TokenPurpose.ACTIVATE, ttl=ttl))
    record(None, AuditAction.CREATE, "admin", "user", user.id, detail={"roles": ["admin"], "via": "create-admin"})
    db.session.flush()
    return user, link


def _admin_count() -> int:
    return db.session.scalar(select(func.count()).select_from(UserRole).join(User).where(
        UserRole.role == Role.ADMIN, User.active.is_(True)))


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Silta administrator", show_default=True, help="The administrator's display name.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of printing an activation link.")
@click.option("--force", is_flag=True, help="Add an administrator even though one exists.")
def create_admin_command(email: str, name: str, password_stdin: bool, force: bool) -> None:
    """Make the first administrator on an empty database and print a one-time activation link."""
    from portal.cli import start_app

    app = start_app("create-admin")
    with app.app_context():
        if not inspect(db.engine).has_table("users"):
            raise click.ClickException(
                "the database has no tables yet: run `silta prepare` (or `python -m portal`) first")
        password = _read_password() if password_stdin else None
        try:
            user, link = create_admin(email, name, password, force)
        except AdminExists:
            raise click.ClickException("an administrator exists already; use --force to add another") from None
        except PasswordRefused as refused:
            raise click.ClickException(str(refused)) from None
        db.session.commit()
        click.echo(f"administrator {user.email} created")
        if link:
            days = app.config["INVITATION_DAYS"]
            click.echo(f"set the password within {days} days (the link works once):\n{link}")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")
