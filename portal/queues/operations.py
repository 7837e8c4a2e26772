"""Every state change of queues, vacancies, offers and residencies; each writes its audit record.

Rules, in one place:

- A signed decision that grants a housing service puts the client into that service type's queue
  (``on_decision_signed``, connected in ``init_receivers``) and moves the enrolment to phase ``queue``.
- A vacancy is offered to a waiting entry of the queue of the unit's service type whose preferred unit
  is none or this unit. Passing over someone ahead in the queue needs a written reason (equal
  treatment is the point of the model). Anyone else: a clear error.
- One open offer per vacancy: the vacancy row is locked (``FOR UPDATE``) and a partial unique index
  backs it, so two coordinators offering at once get exactly one offer.
- Accepted: the vacancy is filled (days to fill kept), the entry leaves the queue, the residency
  starts and the enrolment moves to phase ``placed``. Declined or no answer: the next may be offered.
- The offer's notice says only that there is a new notice in Silta: a text message may be read by
  anyone holding the phone, and whether someone is offered supported housing is sensitive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import Role, User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, _l
from portal.intake.models import Decision, DecisionOutcome, HousingServiceType
from portal.notifications import operations as notifications
from portal.plans.models import PhaseTransition
from portal.programmes.models import Enrolment
from portal.queues import permissions, queries
from portal.queues.models import (
    EntryStatus,
    HousingQueue,
    HousingUnit,
    Offer,
    OfferStatus,
    QueueEntry,
    QueuePriority,
    Residency,
    Vacancy,
    VacancyStatus,
)
from portal.scheduling.timeutil import as_helsinki

FEATURE = "queues"
ANSWER_DAYS = 7  # default time the client has to answer an offer
MAX_REASON = 500


class QueueError(ValueError):
    """A change the queue rules refuse; the message is translated for the user."""


# --- the queue -----------------------------------------------------------------------------------------

def ensure_queue(service_type: HousingServiceType) -> HousingQueue:
    queue = db.session.scalar(select(HousingQueue).where(HousingQueue.service_type == service_type))
    if queue is None:
        queue = HousingQueue(service_type=service_type)
        db.session.add(queue)
        db.session.flush()
    return queue


def enqueue(actor: User | None, enrolment: Enrolment, service_type: HousingServiceType, *,
            decision: Decision | None = None, priority: QueuePriority = QueuePriority.NORMAL,
            preferred_unit: HousingUnit | None = None, queued_on: date | None = None) -> QueueEntry:
    """Put a granted client into the queue of ``service_type`` and move the enrolment to ``queue``."""
    if preferred_unit is not None and preferred_unit.service_type != service_type:
        raise QueueError(_l("The preferred unit does not provide this housing service."))
    queue = ensure_queue(service_type)
    if queries.waiting_entry(queue.id, enrolment.id) is not None:
        raise QueueError(_l("The client is already in this queue."))
    entry = QueueEntry(queue=queue, enrolment=enrolment, decision_id=decision.id if decision else None,
                       preferred_unit=preferred_unit, priority=priority,
                       queued_on=queued_on or as_helsinki(utcnow()).date(), status=EntryStatus.WAITING)
    db.session.add(entry)
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "queue_entry", entry.id, enrolment.client_id,
           {"service_type": str(service_type)})
    move_phase(actor, enrolment, "queue")
    return entry


def on_decision_signed(sender: User | None, decision: Decision, **_extra) -> None:
    """Receiver of ``portal.signals.decision_signed``: a granted decision queues the client."""
    if decision.outcome != DecisionOutcome.granted or decision.service_type is None:
        return
    enrolment = decision.enrolment or db.session.get(Enrolment, decision.enrolment_id)
    queue = ensure_queue(decision.service_type)
    if queries.waiting_entry(queue.id, enrolment.id) is None:
        enqueue(sender, enrolment, decision.service_type, decision=decision)


def init_receivers() -> None:
    """Connect the receivers once (blinker keeps a weak reference to module-level functions: fine)."""
    from portal.signals import decision_signed

    decision_signed.connect(on_decision_signed)


def set_priority(actor: User, entry: QueueEntry, priority: QueuePriority) -> QueueEntry:
    _require_keeper(actor, entry.queue)
    if entry.status is not EntryStatus.WAITING:
        raise QueueError(_l("The client is no longer waiting in this queue."))
    entry.priority = priority
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "queue_entry", entry.id, entry.enrolment.client_id,
           {"fields": ["priority"]})
    return entry


def move_phase(actor: User | None, enrolment: Enrolment, to_phase: str) -> None:
    """Move a housing enrolment to ``queue`` or ``placed``. The phase column is the programmes feature's;
    like plans, this writes the transition row (who, when) and the audit record with it."""
    if enrolment.phase == to_phase:
        return
    if actor is not None:
        db.session.add(PhaseTransition(enrolment_id=enrolment.id, from_phase=enrolment.phase, to_phase=to_phase,
                                       by_id=actor.id))
    enrolment.phase = to_phase
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "enrolment", enrolment.id, enrolment.client_id, {"fields": ["phase"]})


# --- vacancies and residencies -------------------------------------------------------------------------

def report_vacancy(actor: User, unit: HousingUnit, free_from: date) -> Vacancy:
    """A unit reports a place free from a date (its own staff, or a coordinator on the phone with it)."""
    if not permissions.sees_unit(actor, unit):
        raise PermissionError("not this unit's staff")
    today = as_helsinki(utcnow()).date()
    if free_from < today - timedelta(days=90) or free_from > today + timedelta(days=365):
        raise QueueError(_l("Give a date within the last three months or the coming year."))
    if queries.open_vacancy_count(unit.id) + queries.current_residents(unit.id) >= unit.places:
        raise QueueError(_l("Every place of this unit is already taken or reported vacant."))
    vacancy = Vacancy(unit=unit, free_from=free_from, reported_by_id=actor.id, status=VacancyStatus.OPEN)
    db.session.add(vacancy)
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "vacancy", vacancy.id)
    return vacancy


def end_residency(actor: User, residency: Residency, ends_on: date, report_place: bool) -> Vacancy | None:
    """The unit reports a residency ending; the place may be reported vacant from the next day."""
    if not permissions.sees_unit(actor, residency.unit):
        raise PermissionError("not this unit's staff")
    if residency.ends_on is not None:
        raise QueueError(_l("This residency has already ended."))
    if ends_on < residency.starts_on:
        raise QueueError(_l("The residency cannot end before it started."))
    residency.ends_on, residency.ended_by_id = ends_on, actor.id
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "residency", residency.id, residency.enrolment.client_id,
           {"fields": ["ends_on"]})
    return report_vacancy(actor, residency.unit, ends_on + timedelta(days=1)) if report_place else None


# --- offers --------------------------------------------------------------------------------------------

def offer_vacancy(actor: User, vacancy: Vacancy, entry: QueueEntry, answer_by: date | None = None,
                  skip_reason: str | None = None) -> Offer:
    """Offer ``vacancy`` to ``entry``; refuses a client not in that queue and a second open offer."""
    _lock(vacancy)
    queue = ensure_queue(vacancy.unit.service_type)
    _require_keeper(actor, queue)
    _check_offerable(vacancy, entry, queue)
    skip_reason = _skip_reason(vacancy, entry, skip_reason)
    today = as_helsinki(utcnow()).date()
    answer_by = answer_by or today + timedelta(days=ANSWER_DAYS)
    if answer_by < today:
        raise QueueError(_l("The answer date cannot be in the past."))
    offer = Offer(vacancy_id=vacancy.id, entry_id=entry.id, offered_by_id=actor.id, answer_by=answer_by,
                  skip_reason=skip_reason, status=OfferStatus.OPEN)
    try:
        with db.session.begin_nested():  # SQLite has no row locks: the partial unique index decides there
            db.session.add(offer)
    except IntegrityError:
        raise QueueError(_l("This vacancy was just offered to another client. Reload the page.")) from None
    record(actor, AuditAction.CREATE, FEATURE, "offer", offer.id, entry.enrolment.client_id)
    _notify(entry, offer)
    return offer


def record_answer(actor: User, offer: Offer, answer: OfferStatus, starts_on: date | None = None) -> Offer:
    """Record the client's answer: accepted places the client, declined or expired frees the vacancy."""
    _lock(offer.vacancy)
    db.session.refresh(offer)
    _require_keeper(actor, offer.entry.queue)
    if offer.status is not OfferStatus.OPEN:
        raise QueueError(_l("The answer to this offer is already recorded."))
    if answer is OfferStatus.OPEN:
        raise QueueError(_l("Choose the answer."))
    offer.status, offer.answered_at, offer.recorded_by_id = answer, utcnow(), actor.id
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "offer", offer.id, offer.entry.enrolment.client_id,
           {"answer": str(answer)})
    if answer is OfferStatus.ACCEPTED:
        _place(actor, offer, starts_on or max(offer.vacancy.free_from, as_helsinki(utcnow()).date()))
    return offer


def _place(actor: User, offer: Offer, starts_on: date) -> Residency:
    vacancy, entry = offer.vacancy, offer.entry
    today = as_helsinki(utcnow()).date()
    vacancy.status, vacancy.filled_on = VacancyStatus.FILLED, today
    vacancy.days_to_fill = max(0, (today - vacancy.free_from).days)
    entry.status, entry.left_on = EntryStatus.PLACED, max(today, entry.queued_on)
    residency = Residency(unit_id=vacancy.unit_id, enrolment_id=entry.enrolment_id, vacancy_id=vacancy.id,
                          starts_on=starts_on)
    db.session.add(residency)
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "residency", residency.id, entry.enrolment.client_id)
    move_phase(actor, entry.enrolment, "placed")
    return residency


def _lock(vacancy: Vacancy) -> None:
    """Serialise offers and answers on one vacancy (PostgreSQL row lock; SQLite writes are serial anyway)."""
    db.session.execute(select(Vacancy.id).where(Vacancy.id == vacancy.id).with_for_update())
    db.session.refresh(vacancy)


def _require_keeper(actor: User, queue: HousingQueue) -> None:
    if not permissions.keeps(actor, queue):
        raise PermissionError("only the queue's coordinator, or the deputy while the coordinator is away")


def _check_offerable(vacancy: Vacancy, entry: QueueEntry, queue: HousingQueue) -> None:
    if vacancy.status is not VacancyStatus.OPEN:
        raise QueueError(_l("This vacancy is no longer open."))
    if queries.open_offer(vacancy.id) is not None:
        raise QueueError(_l("This vacancy was just offered to another client. Reload the page."))
    suitable = (entry.queue_id == queue.id and entry.status is EntryStatus.WAITING
                and entry.preferred_unit_id in (None, vacancy.unit_id))
    if not suitable:
        raise QueueError(_l("This client is not in the queue for this vacancy."))
    if entry.id in queries.answered_entry_ids(vacancy.id):
        raise QueueError(_l("This client has already answered an offer of this vacancy."))
    if queries.has_open_offer(entry.id):
        raise QueueError(_l("This client already has an open offer."))


def _skip_reason(vacancy: Vacancy, entry: QueueEntry, reason: str | None) -> str | None:
    """Offering to anyone but the first suitable client needs a reason, kept with the offer."""
    reason = (reason or "").strip() or None
    first = queries.next_suitable(vacancy)
    if first is not None and first.id != entry.id and reason is None:
        raise QueueError(_l("This client is not the next in the queue: write why they are offered the place first."))
    if reason and len(reason) > MAX_REASON:
        raise QueueError(_l("The text is too long: at most %(limit)s characters.", limit=MAX_REASON))
    return reason if first is not None and first.id != entry.id else None


def _notify(entry: QueueEntry, offer: Offer) -> None:
    client = entry.enrolment.client
    target = notifications.recipient_for(client)
    if target is None:
        return
    channel, address = target
    with force_locale(notifications.language_of(client)):
        subject, body = _("A new notice in Silta"), _("You have a new notice in Silta. Sign in to read it.")
    notifications.queue_message(channel=channel, recipient=address, subject=subject, body=body,
                                dedupe_key=f"housing-offer:{offer.id}", client_id=client.id)


# --- set-up by the administrator ----------------------------------------------------------------------

@dataclass
class HousingUnitDetails:
    name: str
    municipality_code: str
    service_type: HousingServiceType
    places: int
    provider: str
    staff_ids: set[int] = field(default_factory=set)


def save_housing_unit(actor: User, details: HousingUnitDetails, unit: HousingUnit | None = None) -> HousingUnit:
    """Add or change a housing unit and which housing-unit logins (role housing_unit) act for it; audited."""
    if details.places < 1:
        raise QueueError(_l("A unit has at least one place."))
    staff = [db.session.get(User, user_id) for user_id in sorted(details.staff_ids)]
    if any(u is None or not u.active or not u.has_role(Role.HOUSING_UNIT) for u in staff):
        raise QueueError(_l("Only accounts in use with the housing-unit role can act for a housing unit."))
    created = unit is None
    if created:
        unit = HousingUnit()
        db.session.add(unit)
    unit.name, unit.provider = details.name.strip(), details.provider.strip()
    unit.municipality_code, unit.service_type = details.municipality_code, details.service_type
    unit.places = details.places
    unit.staff = staff
    db.session.flush()
    record(actor, AuditAction.CREATE if created else AuditAction.UPDATE, "admin", "housing_unit", unit.id)
    return unit


def set_keepers(actor: User, service_type: HousingServiceType, coordinator: User | None,
                deputy: User | None) -> HousingQueue:
    """Name the queue's coordinator and deputy: queue coordinators in use, two different people; audited."""
    for person in (coordinator, deputy):
        if person is not None and (not person.active or not person.has_role(Role.QUEUE_COORDINATOR)):
            raise QueueError(_l("%(name)s is not a queue coordinator in use: give the account the queue-coordinator "
                                "role first.", name=person.display_name))
    if deputy is not None and (coordinator is None or deputy.id == coordinator.id):
        raise QueueError(_l("The deputy must be someone other than the coordinator, and the queue needs a coordinator "
                            "first."))
    queue = ensure_queue(service_type)
    queue.coordinator, queue.deputy = coordinator, deputy
    db.session.flush()
    record(actor, AuditAction.UPDATE, "admin", "housing_queue", queue.id, detail={"fields": ["coordinator", "deputy"]})
    return queue
