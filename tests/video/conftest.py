"""Fixtures for the real-time video tests: one migrated SQLite file shared by the test process and real
Silta web processes, rooms with participant tickets, and coturn.

**Addresses.** aioice never offers 127.0.0.1 as a host candidate, so two aiortc peers on one machine
need another address of the machine. What works here: the machine's own non-loopback address (eth0's,
e.g. 192.0.2.2). The kernel delivers packets addressed to its own addresses over the loopback device, so
nothing leaves the machine, and both peers — in one process or two — gather and pair those host
candidates. ``host_addresses`` checks that aioice sees at least one; on a machine with only ``lo``, give
it a private address first (as root: ``ip link add silta0 type dummy && ip addr add 10.254.0.1/32 dev
silta0 && ip link set silta0 up``) or run the suite inside a network namespace with a veth pair (what the
browser tests do, because Chromium also ignores loopback). Relay-only calls go through coturn on
127.0.0.1 with ``--allow-loopback-peers`` (tests only): the relayed addresses are then loopback ones.
"""

from __future__ import annotations

import pytest
from aioice.ice import get_host_addresses

from portal.extensions import db as _db
from tests.conftest import make_app, migrate_and_sync
from tests.support.rtc import SILTA_SECRET, start_coturn, start_silta
from tests.support.services import ServiceUnavailable, require_or_skip

TURN_SECRET = "turn-test-shared-secret-0123456789"  # tests only


@pytest.fixture(scope="session")
def host_addresses():
    addresses = get_host_addresses(use_ipv4=True, use_ipv6=False)
    if not addresses:
        pytest.fail("aioice sees no non-loopback IPv4 address, so two aiortc peers cannot pair on this machine; "
                    "see tests/video/conftest.py for what to do", pytrace=False)
    return addresses


@pytest.fixture(scope="session")
def video_db(tmp_path_factory):
    """The SQLAlchemy URL of a migrated SQLite file that the test process and the servers share."""
    path = tmp_path_factory.mktemp("video") / "silta.sqlite3"
    url = f"sqlite:///{path}"
    migrate_and_sync(make_app(url, SECRET_KEY=SILTA_SECRET))
    return url


@pytest.fixture
def app(video_db):
    """The test process's app on the shared file (rows must be committed for the servers to see them)."""
    app = make_app(video_db, SECRET_KEY=SILTA_SECRET)
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def silta(video_db, host_addresses):
    """One Silta web process (threading Socket.IO, no bots, no Redis) for the whole session."""
    server = start_silta(video_db)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def coturn():
    try:
        server = start_coturn(secret=TURN_SECRET)
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    yield server
    server.stop()


@pytest.fixture
def make_room(db, create_staff, create_client, create_enrolment):
    """A committed ad-hoc meeting room with auto-admit: (room key, [host ticket, client ticket, …])."""
    from portal.video import operations, tickets
    from portal.video.models import ParticipantRole

    def factory(extra_workers: int = 0) -> tuple[str, list[str]]:
        worker = create_staff()
        enrolment = create_enrolment(create_client(), coordinator=worker)
        room = operations.open_adhoc_room(db.session, enrolment, worker)
        room.auto_admit = True
        for _ in range(extra_workers):
            operations.add_participant(db.session, room, role=ParticipantRole.WORKER, user=create_staff())
        db.session.flush()
        participants = sorted(room.participants, key=lambda p: p.id)
        result = room.key, [tickets.participant_ticket(p) for p in participants]
        db.session.commit()
        return result

    return factory


@pytest.fixture
def make_echo_room(db, create_staff):
    """A committed echo-test room: (room key, the tester's ticket)."""
    from portal.video import operations, tickets

    def factory() -> tuple[str, str]:
        room, tester = operations.open_echo_room(db.session, user=create_staff(), name="Tester")
        result = room.key, tickets.participant_ticket(tester)
        db.session.commit()
        return result

    return factory
