"""The accounts' database rules on PostgreSQL too: single-use tokens, replayed TOTP codes, session generation."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest

from portal.auth import tokens, totp
from portal.auth.models import Role, TokenPurpose
from portal.auth.operations import set_password

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app):
    return pg_app


def test_tokens_and_totp_on_postgres(db, create_staff):
    worker = create_staff(Role.WORKER)
    plain = tokens.issue(worker, TokenPurpose.RESET, ttl=timedelta(minutes=30))
    db.session.commit()
    assert tokens.redeem(plain, TokenPurpose.RESET) is worker
    db.session.commit()
    with pytest.raises(tokens.TokenError):
        tokens.redeem(plain, TokenPurpose.RESET)
    db.session.rollback()
    secret = totp.begin_enrolment(worker)
    now = time.time()
    assert totp.confirm_enrolment(worker, pyotp.TOTP(secret).at(now - 30), now) is not None
    code = pyotp.TOTP(secret).at(now)
    assert totp.verify(worker, code, now) == "totp" and totp.verify(worker, code, now) is None
    epoch = worker.auth_epoch
    set_password(worker, worker, "a long enough password", "changed")
    db.session.commit()
    assert worker.auth_epoch == epoch + 1
