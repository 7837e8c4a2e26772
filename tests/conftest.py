"""Fixtures as a plugin for every test: an app on a migrated database, factories, sign-in helpers.

The schema always comes from the migrations (never ``create_all``), so the tests exercise what
production runs. A migrated SQLite file is made once per session and copied for each test.
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade

from portal import create_app
from portal.auth.models import AccountKind, Role, User, UserRole
from portal.auth.passwords import hash_password
from portal.extensions import db as _db
from portal.i18n import compile_catalogs
from portal.people.models import Client, ClientLanguage, Gender, Municipality, OrgUnit, UnitMembership
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus, TeamMember
from portal.programmes.operations import sync_programmes

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery staple"

pytest_plugins = ["tests.support.fixtures", "tests.support.timing"]


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: its own ``g``, its own DB session.

    (The ``app`` fixture keeps an app context open for the test body; without this, Flask would reuse
    it for every request and per-request caches such as the chosen locale would leak between them.)
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_uri: str, **overrides):
    config = {
        "TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": database_uri,
        "SEED_DEMO_ON_START": False, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "IDENTITY_HASH_KEY": "test-identity-hash-key",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    return app


def migrate_and_sync(app) -> None:
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        sync_programmes(registry.loaded())
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()  # a PostgreSQL template database must have no open connection


@pytest.fixture(scope="session", autouse=True)
def _catalogs():
    compile_catalogs()


@pytest.fixture(scope="session", autouse=True)
def _one_playwright():
    """Browser tests share one Playwright (tests/support/browsers.py); it stops when the session ends."""
    yield
    from tests.support import browsers

    browsers.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "silta.sqlite3"
    migrate_and_sync(make_app(f"sqlite:///{path}"))
    return path


@pytest.fixture
def app_config():
    """Override in a test module (or parametrize indirectly) to change the app's configuration."""
    return {}


@pytest.fixture
def app(sqlite_template, tmp_path, app_config):
    path = tmp_path / "silta.sqlite3"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", **app_config)
    with app.app_context():
        yield app
        _db.session.remove()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


_serial = itertools.count(1)


@pytest.fixture
def municipality(db):
    row = db.session.get(Municipality, "091") or Municipality(code="091", name_fi="Helsinki", name_sv="Helsingfors")
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def unit(db, municipality):
    row = OrgUnit(code=f"unit-{next(_serial)}", name_fi="Yksikkö", name_sv="Enhet", name_en="Unit",
                  county="Helsinki", municipalities=[municipality])
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def create_staff(db, unit):
    def factory(*roles: Role, name: str | None = None, in_unit: OrgUnit | None = unit, locale: str = "fi") -> User:
        n = next(_serial)
        user = User(kind=AccountKind.STAFF, email=f"staff{n}@example.test", display_name=name or f"Worker {n}",
                    title="sosiaaliohjaaja", locale=locale, password_hash=_hash(),
                    roles=[UserRole(role=r) for r in (roles or (Role.WORKER,))])
        db.session.add(user)
        if in_unit is not None:
            db.session.add(UnitMembership(unit=in_unit, user=user))
        db.session.flush()
        return user

    return factory


@pytest.fixture
def create_client(db, municipality):
    def factory(with_login: bool = True, birth_year: int = 1980, language=ClientLanguage.FI) -> Client:
        n = next(_serial)
        user = None
        if with_login:
            user = User(kind=AccountKind.CLIENT, email=f"client{n}@example.test", display_name=f"Client {n}",
                        password_hash=_hash())
            db.session.add(user)
        row = Client(user=user, first_name="Asiakas", last_name=f"Numero{n}", birth_year=birth_year,
                     gender=Gender.FEMALE, municipality_code=municipality.code, language=language,
                     phone="+358401234567")
        db.session.add(row)
        db.session.flush()
        return row

    return factory


@pytest.fixture
def create_enrolment(db, unit):
    def factory(client: Client, coordinator: User | None = None, programme: str = "remote-guidance",
                deputy: User | None = None, team: tuple[User, ...] = (), status=EnrolmentStatus.ACTIVE,
                ended_on: date | None = None, in_unit: OrgUnit | None = None,
                start_on: date = date(2026, 1, 5)) -> Enrolment:
        definition = registry.definition(programme)
        row = Enrolment(client=client, programme_code=programme, unit=in_unit or unit, start_on=start_on,
                        phase=definition.first_phase, coordinator=coordinator, deputy=deputy, status=status,
                        ended_on=ended_on, team=[TeamMember(user=m, team_role="sairaanhoitaja") for m in team])
        db.session.add(row)
        db.session.flush()
        return row

    return factory


_HASH: list[str] = []


def _hash() -> str:
    # argon2 is slow on purpose: hash the shared test password once per session.
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@pytest.fixture
def login(client, db):
    """Sign a user in through the real login form (so tests walk the real path)."""

    def do(user: User):
        db.session.commit()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return do
