"""Tamper evidence: every audit record is linked by a SHA-256 hash to the record before it.

Decision — one chain over the whole trail, computed by a sealing job, not by the writers:

- Writers (every request that reads or changes client data, in several processes on PostgreSQL) insert
  records with ``chain_hash`` NULL and take no lock: linking at insert time would need the previous
  record's hash, i.e. a lock held by every auditing request until it commits — all page views of all
  processes in one queue. Per-writer chains avoid the queue but break when a transaction rolls back.
- ``seal_all()`` (after every job-runner run, or ``silta audit seal``) links the unsealed records in id order,
  a batch per transaction: ``chain_hash = sha256(previous chain_hash + canonical record)``. On PostgreSQL
  each batch first takes ``LOCK TABLE audit_records IN SHARE ROW EXCLUSIVE MODE``: that waits for every
  transaction that has inserted a record to end, and holds back new inserts while one batch is sealed
  (milliseconds in steady state; ~0.2 s for a full batch of 1 000 on this machine), so no record can
  later appear with an id below the sealed ones (ids come from a sequence, in insert order, not commit
  order). It also keeps two sealers apart. On SQLite the seal takes the one write lock up front.
- The database lets ``chain_hash`` go from NULL to a value once and refuses every other change or delete
  (triggers, migration e19c0de00005); someone who can bypass those (a database owner) is what the chain
  is for: ``verify()`` recomputes it and names the first record whose hash does not match — an edited
  record, or the record after a deleted one. A record still unsealed below a sealed one is broken too.
- Each seal logs its head (last id and hash; no personal data) so a removed tail can be told from the
  log. The window between insert and seal (one job interval) is not covered; that is the price of no lock.

The canonical form covers every column and the clients a list page showed (audit_record_clients).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from flask import Flask
from sqlalchemy import Row, String, select, text, type_coerce, update
from sqlalchemy.exc import OperationalError

from portal import signals
from portal.audit.models import AuditRecord, AuditRecordClient
from portal.extensions import db

log = logging.getLogger(__name__)
GENESIS = "0" * 64
BATCH = 1000
LOCK_TIMEOUT_MS = 500  # the longest that auditing requests queue behind a postponed seal


def canonical(record: AuditRecord | Row, shown: list[int]) -> bytes:
    """The bytes a record's hash covers: every column but the hash itself, in a fixed form."""
    at = record.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    fields = [record.id, at, record.actor_id, record.client_id, record.feature, str(record.action),
              record.object_type, record.object_id, record.detail, sorted(shown)]
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(previous: str, record: AuditRecord | Row, shown: list[int]) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + canonical(record, shown)).hexdigest()


# The action as stored, not as the enum: a value edited to nonsense is a broken record, not a crash.
_COLUMNS = [type_coerce(c, String).label(c.name) if c.name == "action" else c for c in AuditRecord.__table__.c]


def _records(after_id: int, sealed: bool | None = None) -> Iterator[tuple[Row, list[int]]]:
    """Records with id > after_id in id order, each with the clients it names, a batch at a time."""
    while True:
        # Plain rows, not ORM objects: nothing piles up in the session over a long trail.
        query = select(*_COLUMNS).where(AuditRecord.id > after_id).order_by(AuditRecord.id).limit(BATCH)
        if sealed is False:
            query = query.where(AuditRecord.chain_hash.is_(None))
        batch = list(db.session.execute(query))
        if not batch:
            return
        shown: dict[int, list[int]] = {}
        for record_id, client_id in db.session.execute(
                select(AuditRecordClient.record_id, AuditRecordClient.client_id)
                .where(AuditRecordClient.record_id.between(batch[0].id, batch[-1].id))):
            shown.setdefault(record_id, []).append(client_id)
        for record in batch:
            yield record, shown.get(record.id, [])
        after_id = batch[-1].id


def init_app(app: Flask) -> None:
    """Seal after every run of the job runner (embedded thread or the Redis worker: one place, never the web
    processes of a Redis installation), inside the run's app context."""
    signals.jobs_ran.connect(_seal_after_jobs)


def _seal_after_jobs(app: Flask, **_kwargs) -> None:
    try:
        seal_all()
    except Exception as exc:  # the runner's loop must go on; the next run seals what this one did not
        db.session.rollback()
        log.error("audit sealing failed (%s)", type(exc).__name__)


def seal_all() -> int:
    """Seal everything there is, a batch per transaction: writers wait at most one batch (~0.2 s for 1 000
    records here), also when a large trail is sealed for the first time after the upgrade."""
    total = 0
    while (sealed := seal()) > 0:
        total += sealed
        if sealed < BATCH:
            break
    return total


def seal(limit: int = BATCH) -> int:
    """Link up to ``limit`` unsealed records to the chain and commit; returns how many were sealed."""
    if db.engine.dialect.name == "postgresql":
        # A long transaction that has written a record would keep the lock waiting, and every auditing request
        # queued behind it: give up after LOCK_TIMEOUT_MS and let the next run try again.
        db.session.execute(text(f"SET LOCAL lock_timeout = {int(LOCK_TIMEOUT_MS)}"))
        try:
            db.session.execute(text("LOCK TABLE audit_records IN SHARE ROW EXCLUSIVE MODE"))
        except OperationalError:
            db.session.rollback()
            log.info("audit sealing postponed: a transaction that wrote a record is still open")
            return 0
    else:  # a write first: portal/sqlite.py then begins with BEGIN IMMEDIATE (the write lock, up front)
        db.session.execute(text("UPDATE audit_records SET chain_hash = NULL WHERE 1 = 0"))
    head = db.session.execute(select(AuditRecord.id, AuditRecord.chain_hash)
                              .where(AuditRecord.chain_hash.is_not(None))
                              .order_by(AuditRecord.id.desc()).limit(1)).first()
    last_id, previous = head if head else (0, GENESIS)
    hashes = []
    for record, shown in _records(last_id, sealed=False):
        previous = link(previous, record, shown)
        hashes.append({"id": record.id, "chain_hash": previous})
        last_id = record.id
        if len(hashes) >= limit:
            break
    if hashes:
        db.session.execute(update(AuditRecord), hashes)  # ORM bulk UPDATE by primary key: one executemany
        log.info("audit sealed: %s records, head id %s hash %s", len(hashes), last_id, previous)
    db.session.commit()
    return len(hashes)


@dataclass(frozen=True)
class Verdict:
    sealed: int
    unsealed: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify() -> Verdict:
    """Recompute the chain from the first record; the first record that does not match breaks it."""
    previous, sealed, unsealed, first_unsealed = GENESIS, 0, 0, None
    for record, shown in _records(0):
        if record.chain_hash is None:
            unsealed += 1
            first_unsealed = first_unsealed or record.id
            continue
        if first_unsealed is not None:
            return Verdict(sealed, unsealed, first_unsealed, "unsealed record before sealed ones")
        previous = link(previous, record, shown)
        if previous != record.chain_hash:
            return Verdict(sealed, unsealed, record.id, "hash does not match (this record or the one before it "
                                                        "was changed or removed)")
        sealed += 1
    return Verdict(sealed, unsealed)
