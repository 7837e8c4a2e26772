"""One-time tokens: stored only as a hash, expire, work once, forged and foreign ones refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth import tokens
from portal.auth.models import AuthToken, Role, TokenPurpose
from portal.db import utcnow

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def person(db, create_staff):
    return create_staff(Role.WORKER)


def test_only_a_hash_is_stored_and_the_token_works_once(db, person):
    plain = tokens.issue(person, TokenPurpose.RESET, ttl=timedelta(minutes=30))
    stored = db.session.scalar(select(AuthToken))
    assert plain not in stored.token_hash and len(stored.token_hash) == 64
    assert tokens.lookup(plain, TokenPurpose.RESET).user_id == person.id
    assert tokens.redeem(plain, TokenPurpose.RESET) is person
    with pytest.raises(tokens.TokenError) as error:
        tokens.redeem(plain, TokenPurpose.RESET)
    assert error.value.reason == "used"


def test_expired(db, person):
    plain = tokens.issue(person, TokenPurpose.ACTIVATE, ttl=timedelta(minutes=30))
    with pytest.raises(tokens.TokenError) as error:
        tokens.redeem(plain, TokenPurpose.ACTIVATE, now=utcnow() + timedelta(minutes=31))
    assert error.value.reason == "expired"


@pytest.mark.parametrize("forged", ["", "x", "A" * 43, "not-a-real-token-at-all"])
def test_forged_tokens_are_invalid(db, person, forged):
    tokens.issue(person, TokenPurpose.RESET, ttl=timedelta(minutes=30))
    with pytest.raises(tokens.TokenError) as error:
        tokens.redeem(forged, TokenPurpose.RESET)
    assert error.value.reason == "invalid"
    assert "not valid" in str(error.value) or str(error.value)  # a translated message, never empty


def test_a_token_of_another_purpose_is_invalid(db, person):
    plain = tokens.issue(person, TokenPurpose.ACTIVATE, ttl=timedelta(days=7))
    with pytest.raises(tokens.TokenError) as error:
        tokens.redeem(plain, TokenPurpose.RESET)
    assert error.value.reason == "invalid"


def test_a_new_token_revokes_the_older_one(db, person):
    first = tokens.issue(person, TokenPurpose.RESET, ttl=timedelta(minutes=30))
    second = tokens.issue(person, TokenPurpose.RESET, ttl=timedelta(minutes=30))
    with pytest.raises(tokens.TokenError):
        tokens.lookup(first, TokenPurpose.RESET)
    assert tokens.redeem(second, TokenPurpose.RESET) is person


def test_deactivated_account_cannot_use_its_token(db, person):
    plain = tokens.issue(person, TokenPurpose.ACTIVATE, ttl=timedelta(days=7))
    person.active = False
    with pytest.raises(tokens.TokenError) as error:
        tokens.redeem(plain, TokenPurpose.ACTIVATE)
    assert error.value.reason == "inactive"


def test_human_codes_are_typed_loosely(db, person):
    code = tokens.issue(person, TokenPurpose.CLIENT_ACTIVATE, ttl=timedelta(days=30), human=True)
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code) & set("01IOL")
    assert tokens.redeem(" " + code.replace("-", " ").lower() + " ", TokenPurpose.CLIENT_ACTIVATE) is person
