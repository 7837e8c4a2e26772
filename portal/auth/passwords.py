"""Password hashing with argon2 (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

import sys

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the account does not exist, so that both paths cost the same time
# (no account enumeration through timing).
_DUMMY_HASH = _hasher.hash("silta-no-such-account")

MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _off_the_event_loop(_hasher.hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _off_the_event_loop(_hasher.verify, password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _off_the_event_loop(function, *args):
    """Under gevent (``silta serve``) argon2's 100-300 ms of CPU run in a native thread: argon2-cffi releases
    the GIL, so the worker process keeps serving its other requests meanwhile instead of stopping for every
    sign-in. Elsewhere (threads, the CLI, tests) it runs here."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        import gevent

        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)
