"""Translated names for the queues feature's enums (and the housing service types it shows)."""

from __future__ import annotations

import enum

from portal.i18n import _l
from portal.intake.models import HousingServiceType
from portal.queues.models import EntryStatus, OfferStatus, QueuePriority, VacancyStatus
from portal.web.labels import EnumLabels

LABELS = EnumLabels(
    {
        HousingServiceType.supported: _l("Supported housing"),
        HousingServiceType.communal: _l("Communal housing"),
        HousingServiceType.round_the_clock: _l("Round-the-clock service housing"),
    },
    {QueuePriority.URGENT: _l("Urgent"), QueuePriority.NORMAL: _l("Normal")},
    {EntryStatus.WAITING: _l("In queue"), EntryStatus.PLACED: _l("Placed"), EntryStatus.WITHDRAWN: _l("Withdrawn")},
    {VacancyStatus.OPEN: _l("Open"), VacancyStatus.FILLED: _l("Filled"), VacancyStatus.CANCELLED: _l("Cancelled")},
    {
        OfferStatus.OPEN: _l("Waiting for the answer"),
        OfferStatus.ACCEPTED: _l("Accepted"),
        OfferStatus.DECLINED: _l("Declined"),
        OfferStatus.EXPIRED: _l("No answer by the date"),
    },
)


def queue_label(value: enum.Enum | None) -> str:
    return "" if value is None else str(LABELS[value]) if value in LABELS else value.value
