"""The personal identity code: what is accepted, what is refused and why, and the keyed hash."""

from __future__ import annotations

from datetime import date

import pytest

from portal.people import identity
from portal.people.models import Gender


def make(ddmmyy: str, sign: str, individual: str) -> str:
    """A valid code for these parts (the check character computed as the Population Register Centre does)."""
    return f"{ddmmyy}{sign}{individual}{identity.CHECK_CHARACTERS[int(ddmmyy + individual) % 31]}"


def test_the_published_example_is_valid():
    code = identity.parse("131052-308T")
    assert code.birth_date == date(1952, 10, 13) and code.gender is Gender.FEMALE
    assert code.normalized == "131052-308T"


@pytest.mark.parametrize(("sign", "century"), [
    ("+", 1800), *((s, 1900) for s in "-YXWVU"), *((s, 2000) for s in "ABCDEF"),
])
def test_every_century_sign_including_the_2023_ones(sign, century):
    code = identity.parse(make("290208", sign, "123"))
    assert code.birth_date == date(century + 8, 2, 29) and code.gender is Gender.MALE


def test_spaces_and_small_letters_are_forgiven():
    code = make("010594", "Y", "903")
    assert identity.parse(f" {code[:6]} {code[6:].lower()} ").normalized == code


BAD = [
    ("131052-308U", "check character"),  # one letter off
    ("131052G308T", "century sign"),  # not a sign
    ("131052/308T", "century sign"),
    (make("310452", "-", "308"), "real date"),  # 31 April
    (make("290201", "A", "123"), "real date"),  # 2001 is no leap year
    (make("131052", "-", "001"), "individual number"),
    ("010594-903", "11 characters"),
    ("", "11 characters"),
    (make("010199", "F", "123"), "future"),  # 2099
]


def test_bad_codes_are_refused_with_a_reason_that_does_not_echo_the_code(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for raw, why in BAD:
            with pytest.raises(identity.InvalidIdentityCode) as e:
                identity.parse(raw)
            message = str(e.value.message)
            assert why in message and (not raw or raw not in message), (raw, message)


def test_the_hash_is_keyed_and_never_the_code(app):
    digest = identity.identity_hash("131052-308T")
    assert len(digest) == 64 and "131052" not in digest
    assert identity.identity_hash(" 131052-308t") == digest  # one person, one hash
    app.config["IDENTITY_HASH_KEY"] = "another installation's key"
    assert identity.identity_hash("131052-308T") != digest
