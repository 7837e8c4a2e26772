"""What the page header knows about the signed-in user, asked in one statement a page.

Several features put a link or a counter in every page's header: the client's housing application and
network, the unread messages, a case worker's referrals inbox. Each used to run its own small query, three
or four statements a page, and building and running a statement costs more CPU than the database's answer
(bench/pages.py). A feature now registers its fact as an SQL expression with the user's id (and the time)
as parameters; the header asks every fact that applies to the user in one SELECT, built once per process
for each combination of facts, and keeps the answers for the rest of the request.

The answers are read when the template asks, so a change made earlier in the same request is seen; pages
that must be fresher than the page itself (the unread counter after a new message) ask their own query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import g
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, select

from portal.auth.models import User
from portal.db import read, utcnow


@dataclass(frozen=True)
class Fact:
    expression: Callable[[], ColumnElement]  # uses bindparam("user_id") and, if it needs it, bindparam("now")
    applies: Callable[[User], bool]


_FACTS: dict[str, Fact] = {}


def register(name: str, expression: Callable[[], ColumnElement], applies: Callable[[User], bool]) -> None:
    """Add a fact the header may ask (at import of the feature's routes; a name is registered once)."""
    _FACTS[name] = Fact(expression, applies)


def fact(name: str) -> Any:
    """This request's answer for ``name``: None when nobody is signed in or the fact does not apply."""
    if not current_user.is_authenticated:
        return None
    answers = g.get("header_facts")
    if answers is None:
        answers = g.header_facts = _ask(current_user._get_current_object())
    return answers.get(name)


def _ask(user: User) -> dict[str, Any]:
    names = tuple(name for name, registered in _FACTS.items() if registered.applies(user))
    if not names:
        return {}
    row = read(_statement(names), {"user_id": user.id, "now": utcnow()}).one()
    return dict(zip(names, row, strict=True))


@cache
def _statement(names: tuple[str, ...]) -> Select:
    return select(*(_FACTS[name].expression().label(name) for name in names))
