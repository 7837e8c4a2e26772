"""Reading the audit trail: the client's own access log, and the administrator's search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select

from portal.audit.models import AuditAction, AuditRecord, AuditRecordClient
from portal.auth.models import User
from portal.extensions import db
from portal.people.models import Client

PAGE_SIZE = 50


def access_log_for_client(client: Client) -> Select:
    """Who else has read or changed this client's data (Client Data Act 703/2023), newest first; a list page
    that showed the client's name counts (audit_record_clients)."""
    query = select(AuditRecord).where(_names(client.id))
    if client.user_id is not None:
        query = query.where(AuditRecord.actor_id.is_distinct_from(client.user_id))
    return query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc())


def _names(client_id: int):
    """Records about the client, and list pages that showed the client's name."""
    shown = select(AuditRecordClient.record_id).where(AuditRecordClient.client_id == client_id)
    return or_(AuditRecord.client_id == client_id, AuditRecord.id.in_(shown))


def search(client_id: int | None = None, actor_id: int | None = None, action: AuditAction | None = None) -> Select:
    query = select(AuditRecord).order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    if client_id is not None:
        query = query.where(_names(client_id))
    if actor_id is not None:
        query = query.where(AuditRecord.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditRecord.action == action)
    return query


def actor_label(actor: User | None) -> str:
    return actor.display_name if actor else "Silta"


# --- the client's access log, grouped -------------------------------------------------------------------

SESSION_GAP = timedelta(minutes=15)  # one person's views closer than this read as one visit
LOG_LIMIT = 5000  # the newest records grouped (years of an ordinary client's log)


@dataclass
class Visit:
    """One person's consecutive reads and changes of the client's data ("viewed your plan, 10:02–10:14")."""

    actor_id: int | None
    first_at: datetime
    last_at: datetime
    actions: set = field(default_factory=set)  # AuditAction members, and "list" for a list page
    features: list[str] = field(default_factory=list)  # in the order last seen
    records: int = 0
    actor: User | None = None


def access_visits(client: Client, gap: timedelta = SESSION_GAP) -> list[Visit]:
    """The client's access log as visits, newest first: a person's records with less than ``gap`` between
    them are one visit. One query for the records (only the columns needed), one for the people."""
    rows = db.session.execute(
        select(AuditRecord.at, AuditRecord.actor_id, AuditRecord.feature, AuditRecord.action, AuditRecord.object_type)
        .where(access_log_for_client(client).whereclause).order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
        .limit(LOG_LIMIT)).all()
    visits: list[Visit] = []
    open_visit: dict[int | None, Visit] = {}
    for at, actor_id, feature, action, object_type in rows:
        visit = open_visit.get(actor_id)
        if visit is None or visit.first_at - at > gap:
            visit = open_visit[actor_id] = Visit(actor_id, at, at)
            visits.append(visit)
        visit.first_at, visit.records = at, visit.records + 1
        visit.actions.add("list" if object_type == "list" else action)
        if feature not in visit.features:
            visit.features.append(feature)
    actor_ids = {v.actor_id for v in visits} - {None}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
    for visit in visits:
        visit.actor = people.get(visit.actor_id)
    return visits


@dataclass
class ListPage:
    """A page of a list already in memory, with what the pager macro reads."""

    items: list
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_of(items: list, page: int, size: int = PAGE_SIZE) -> ListPage:
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    return ListPage(items[(page - 1) * size:page * size], page, pages)
