"""Does "Forgot your password?" answer in the same time whether or not the address has an account?
``python -m bench.accounts [runs]``

On a scratch SQLite database (migrated, no demo) with one staff account, it posts the reset form
``runs`` times (default 40, alternating) for the known address and for an unknown one, first with
the response-time floor off (``PASSWORD_RESET_MIN_MS=0``: what the work itself costs) and then with
the default floor, and prints median, 90th percentile and the difference of the medians in
milliseconds. It also times a password sign-in with and without the TOTP step (argon2 dominates).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyotp

from portal import create_app
from portal.auth import totp
from portal.auth.models import AccountKind, Role, User, UserRole
from portal.auth.passwords import hash_password
from portal.extensions import db
from tests.conftest import migrate_and_sync

KNOWN, UNKNOWN, PASSWORD = "known@example.fi", "unknown@example.fi", "a long enough password"


def main(runs: int = 40) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        uri = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        migrate_and_sync(_app(uri, 0))
        with _app(uri, 0).app_context():
            db.session.add(User(kind=AccountKind.STAFF, email=KNOWN, display_name="Known", roles=[
                UserRole(role=Role.WORKER)], password_hash=hash_password(PASSWORD)))
            db.session.commit()
        for floor in (0, None):
            app = _app(uri, floor)
            times = _reset_times(app, runs)
            label = "floor off" if floor == 0 else f"floor {app.config['PASSWORD_RESET_MIN_MS']} ms"
            for who in (KNOWN, UNKNOWN):
                print(f"reset request, {label:>13}, {'known' if who == KNOWN else 'unknown'} address: "
                      f"median {statistics.median(times[who]):6.1f} ms, p90 {_p90(times[who]):6.1f} ms")
            gap = statistics.median(times[KNOWN]) - statistics.median(times[UNKNOWN])
            print(f"reset request, {label:>13}, median known - unknown: {gap:+.1f} ms")
        _sign_in_times(_app(uri, 0), max(5, runs // 4))


def _app(uri: str, floor: int | None):
    config = {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
              "SEED_DEMO_ON_START": False, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
              "JOBS_ENABLED": False}
    if floor is not None:
        config["PASSWORD_RESET_MIN_MS"] = floor
    return create_app(config)


def _reset_times(app, runs: int) -> dict[str, list[float]]:
    client = app.test_client()
    client.post("/password/forgot", data={"email": UNKNOWN})  # warm-up
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    for i in range(runs * 2):
        who = KNOWN if i % 2 else UNKNOWN
        started = time.perf_counter()
        response = client.post("/password/forgot", data={"email": who})
        times[who].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def _sign_in_times(app, runs: int) -> None:
    with app.app_context():
        user = db.session.query(User).filter_by(email=KNOWN).one()
        secret = totp.begin_enrolment(user)
        totp.confirm_enrolment(user, pyotp.TOTP(secret).at(time.time() - 30))
        user.totp_last_step = None
        db.session.commit()
    plain, two_step = [], []
    for _ in range(runs):
        client = app.test_client()
        started = time.perf_counter()
        client.post("/login", data={"email": KNOWN, "password": PASSWORD})
        middle = time.perf_counter()
        response = client.post("/login/verify", data={"code": pyotp.TOTP(secret).now()})
        plain.append((middle - started) * 1000)
        two_step.append((time.perf_counter() - middle) * 1000)
        with app.app_context():  # replay is refused by design: forget the used step for the next run
            db.session.query(User).filter_by(email=KNOWN).update({"totp_last_step": None})
            db.session.commit()
        assert response.status_code == 302
    print(f"sign-in: password step median {statistics.median(plain):.1f} ms; TOTP step median "
          f"{statistics.median(two_step):.1f} ms ({runs} runs)")


def _p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9) - 1]


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
