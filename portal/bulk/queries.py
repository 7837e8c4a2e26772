"""Reads for bulk export: the clients an export covers, and their resources of each type."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import or_, select

from portal.bulk.models import BulkExport
from portal.extensions import db
from portal.measures.instruments import is_confidential
from portal.measures.models import Answer, AnswerStatus
from portal.people.models import Client
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment, Participant
from portal.smart.models import ApiClient

BATCH = 200


def export_of(export_id: str, api_client_id: int) -> BulkExport | None:
    """An export its own client asks about (another client's export does not exist for it)."""
    row = db.session.get(BulkExport, export_id) if len(export_id) <= 32 else None
    return row if row is not None and row.api_client_id == api_client_id else None


def client_ids(export: BulkExport) -> list[int]:
    """The clients enrolled (now or before) in the export's unit, or in any unit its API client may read."""
    query = select(Enrolment.client_id).distinct()
    if export.unit_id is not None:
        query = query.where(Enrolment.unit_id == export.unit_id)
    else:
        api_client = db.session.get(ApiClient, export.api_client_id)
        if not api_client.all_units:
            query = query.where(Enrolment.unit_id.in_(api_client.unit_ids))
    return sorted(db.session.scalars(query))


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def patients(ids: list[int]) -> Iterator[Client]:
    for batch in _batches(ids):
        yield from db.session.scalars(select(Client).where(Client.id.in_(batch)).order_by(Client.id))


def appointments(ids: list[int], since: datetime | None) -> Iterator[Appointment]:
    """Appointments any of the clients takes part in (each once), created or cancelled since ``since``."""
    seen: set[int] = set()
    for batch in _batches(ids):
        query = (select(Appointment).join(Participant, Participant.appointment_id == Appointment.id)
                 .where(Participant.client_id.in_(batch)).order_by(Appointment.id))
        if since is not None:
            query = query.where(or_(Appointment.created_at >= since, Appointment.cancelled_at >= since))
        for row in db.session.scalars(query).unique():
            if row.id not in seen:
                seen.add(row.id)
                yield row


def answers(ids: list[int], since: datetime | None) -> Iterator[Answer]:
    """Submitted answers, except confidential feedback about the service (the client's own, as in the API)."""
    for batch in _batches(ids):
        query = (select(Answer).where(Answer.client_id.in_(batch), Answer.status == AnswerStatus.SUBMITTED)
                 .order_by(Answer.id))
        if since is not None:
            query = query.where(Answer.submitted_at >= since)
        yield from (a for a in db.session.scalars(query) if not is_confidential(a.instrument_code))
