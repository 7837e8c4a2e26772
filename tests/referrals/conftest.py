"""A health social work unit with a referrer (primary-care nurse) and a health social worker in it."""

from __future__ import annotations

from datetime import date

import pytest

from portal.auth.models import Role
from portal.people.models import ClientLanguage, Gender
from portal.referrals.models import ConsentBy, ConsentHow, ReferralKind, Urgency
from portal.referrals.operations import Consent, Draft, Person

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def english(app):
    """Messages are lazy and translated when read: read them in English here."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def referrer(create_staff):
    return create_staff(Role.REFERRER, name="Päivi Hyvönen", locale="en")


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, Role.CARE_COORDINATOR, name="Kaisa Partanen", locale="en")


@pytest.fixture
def person():
    def factory(first: str = "Eino", last: str = "Pesonen", year: int = 1950, **changes) -> Person:
        values = dict(first_name=first, last_name=last, birth_year=year, gender=Gender.MALE,
                      municipality_code="091", language=ClientLanguage.FI, pensioner=True,
                      social_welfare_client=False, phone="+358401112223")
        values.update(changes)
        return Person(**values)

    return factory


@pytest.fixture
def draft(unit, person):
    def factory(kind: ReferralKind = ReferralKind.REFERRAL, urgency: Urgency = Urgency.NORMAL, **changes) -> Draft:
        values = dict(kind=kind, unit_id=unit.id, urgency=urgency, situation="Toimeentulo huolettaa.")
        if kind is ReferralKind.REFERRAL:
            values.update(person=person(), consent=Consent(ConsentBy.CLIENT, date(2026, 11, 19), ConsentHow.VERBAL))
        values.update(changes)
        return Draft(**values)

    return factory
