"""Registration on a real PostgreSQL: the unique identity hash decides a race, and nothing is half-saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth.models import Role
from portal.errors import Refusal
from portal.people import identity
from portal.people.models import Client, ClientLanguage, ClientUnit, Gender, OrgUnit
from portal.people.operations import Registration, register_client, register_or_match
from tests.people.test_identity import make

CODE = make("240775", "-", "135")


@pytest.fixture
def app(pg_app):
    return pg_app


def _data(first_name: str) -> Registration:
    code = identity.parse(CODE)
    return Registration(first_name=first_name, last_name="Virtanen", birth_year=1975, birth_date=code.birth_date,
                        gender=code.gender, municipality_code="091", language=ClientLanguage.FI, code=code)


def test_a_second_client_with_the_same_code_is_refused_and_the_transaction_goes_on(db, unit, create_staff):
    worker = create_staff(Role.WORKER)
    first = register_client(worker, unit, _data("Ville"))
    # As if a parallel registration had won: the duplicate check saw nothing, the unique index refuses.
    with pytest.raises(Refusal):
        register_client(worker, unit, _data("Vilho"))
    db.session.commit()  # the savepoint rolled back only the refused client
    assert db.session.scalars(select(Client.first_name)).all() == ["Ville"]
    assert db.session.scalar(select(func.count()).select_from(ClientUnit)) == 1
    assert first.identity_hash == identity.identity_hash(CODE) and first.gender is Gender.MALE


def test_a_worker_registers_only_into_their_own_units(db, unit, create_staff):
    stranger = create_staff(Role.WORKER, in_unit=OrgUnit(code="x", name_fi="X", name_sv="X", name_en="X", county="X"))
    with pytest.raises(Refusal):
        register_or_match(stranger, unit, _data("Ville"), [], "", None)
    assert db.session.scalar(select(func.count()).select_from(Client)) == 0
