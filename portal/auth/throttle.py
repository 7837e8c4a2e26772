"""Sign-in limits that protect without locking anyone out: only wrong passwords count.

- **Per address** (``LOGIN_RATE_LIMIT``, the route's Flask-Limiter limit with ``deduct_when``): wrong
  passwords from one address, whatever the account; a right one never counts, so the residents of a
  housing unit behind one shared address all sign in.
- **Per account** (``LOGIN_ACCOUNT_LIMIT``, here): wrong passwords for one account (the email as typed, so an
  unknown address behaves the same and tells nothing). Past a tier, the account refuses *the addresses that
  failed on it* for that tier's window — the tiers make the wait grow (a minute, a quarter of an hour, a
  day) — while an address that has not failed on it may still sign in with the right password: someone
  guessing from elsewhere cannot lock the person out.

The counters live in Flask-Limiter's storage (memory in the embedded default, Redis when configured, so
every process shares them); ``ProxyFix`` (portal/web/proxy.py) makes ``request.remote_addr`` the client's.
"""

from __future__ import annotations

from flask import current_app, request
from limits import parse_many

from portal.extensions import limiter

ACCOUNT = "login-account"
PAIR = "login-account-address"


def deduct_on_failure(response) -> bool:
    """The route's per-address limit counts a request only when the password was wrong (401)."""
    return response.status_code == 401


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _account(email: str | None) -> str:
    return (email or "").strip().lower()[:254]


def _tiers():
    return parse_many(current_app.config["LOGIN_ACCOUNT_LIMIT"])


def _once_per(item):
    """One failure per ``item``'s window: has this address failed on the account within it?"""
    return type(item)(1, item.multiples)


def refused(email: str | None) -> bool:
    """Whether this address may not try this account now (the account is past a tier and this address
    failed on it within that tier's window). Checked before the password, for known and unknown accounts."""
    if not _enabled():
        return False
    strategy, account = limiter.limiter, _account(email)
    return any(not strategy.test(item, ACCOUNT, account)
               and not strategy.test(_once_per(item), PAIR, account, request.remote_addr or "")
               for item in _tiers())


def failed(email: str | None) -> None:
    """Count a wrong password for the account and for this address on it."""
    if not _enabled():
        return
    strategy, account = limiter.limiter, _account(email)
    for item in _tiers():
        strategy.hit(item, ACCOUNT, account)
        strategy.hit(_once_per(item), PAIR, account, request.remote_addr or "")
