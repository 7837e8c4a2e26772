"""Every change to referrals: sending, accepting (find or create the client, enrol), answering, logging contacts.

Each operation takes the acting user, checks what the form cannot (duplicates, consent, who may act),
writes the audit record (field names, never values) and flushes; the request commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import Role, User
from portal.db import utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _l, local_date
from portal.meetings import operations as meetings
from portal.meetings.models import Contact, ContactOutcome, ContactStatus
from portal.people.models import Client, ClientLanguage, Gender
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.programmes.operations import EnrolmentError, enrol
from portal.referrals import permissions, queries
from portal.referrals.models import (
    ANSWER_MAX,
    SITUATION_MAX,
    ConsentBy,
    ConsentHow,
    Referral,
    ReferralKind,
    ReferralStatus,
    Urgency,
    person_key,
)

FEATURE = "referrals"
MESSAGES = {
    "situation": _l("Describe the situation."),
    "situation_long": _l("Please describe the situation in at most %(max)s characters.", max=SITUATION_MAX),
    "consent": _l("A referral needs the client's consent: note who consented, when and how."),
    "consent_future": _l("The date of consent cannot be in the future."),
    "person": _l("A referral needs the client's name, birth year, municipality and the statistics questions."),
    "too_young": _l("Health social work serves adults: the client must be at least %(age)s.", age=18),
    "served": _l("This client is already a client of health social work: contact the unit instead."),
    "unit": _l("Choose the health social work unit."),
    "handled": _l("This has already been handled."),
    "answer": _l("Write the answer."),
    "answer_long": _l("Please write the answer in at most %(max)s characters.", max=ANSWER_MAX),
    "not_referral": _l("Only a referral can be accepted; a consultation is answered."),
    "not_consultation": _l("Only a consultation is answered; a referral is accepted."),
    "client": _l("Choose the client from the list, or a new client."),
    "programme": _l("Contacts are logged here only for health social work."),
    "ended": _l("The service has ended: no more contacts can be logged."),
    "contact_type": _l("Choose the kind of contact from the list."),
    "modality": _l("Choose a channel that suits the kind of contact."),
    "future": _l("The contact cannot be in the future."),
    "too_old": _l("The contact must be within the past year."),
    "outcome": _l("Choose how the contact ended."),
}


class ReferralError(Refusal):
    """A change that cannot be made; ``field`` names the form field it is about (None: the whole form)."""


@dataclass(frozen=True)
class Person:
    """The person as the referrer typed them; the statistics seed 004 keeps are part of it."""

    first_name: str
    last_name: str
    birth_year: int
    gender: Gender
    municipality_code: str
    language: ClientLanguage
    pensioner: bool
    social_welfare_client: bool
    phone: str | None = None


@dataclass(frozen=True)
class Consent:
    by: ConsentBy | None
    on: date | None
    how: ConsentHow | None


@dataclass(frozen=True)
class Draft:
    kind: ReferralKind
    unit_id: int | None
    urgency: Urgency
    situation: str
    person: Person | None = None
    consent: Consent | None = None
    # A consultation may name someone without the rest (or nobody at all).
    name: tuple[str, str, int | None] | None = None


def send(actor: User, draft: Draft, today: date | None = None) -> Referral:
    """A referral or consultation into the unit's inbox; a referral needs consent and no open duplicate."""
    today = today or utcnow().date()
    if not actor.has_role(Role.REFERRER):
        raise PermissionError("referrers only")
    if draft.unit_id not in permissions.units_of(actor):
        raise ReferralError(MESSAGES["unit"], "unit")
    situation = _text(draft.situation, SITUATION_MAX, "situation", "situation_long")
    referral = Referral(kind=draft.kind, unit_id=draft.unit_id, referrer_id=actor.id, urgency=draft.urgency,
                        situation=situation, status=ReferralStatus.OPEN)
    if draft.kind is ReferralKind.REFERRAL:
        _fill_referral(referral, draft, today)
    else:
        _fill_consultation(referral, draft)
    db.session.add(referral)
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, draft.kind.value, referral.id)
    return referral


def _fill_referral(referral: Referral, draft: Draft, today: date) -> None:
    person, consent = draft.person, draft.consent
    _check_consent(consent, today)
    if person is None or not person.first_name.strip() or not person.last_name.strip():
        raise ReferralError(MESSAGES["person"])
    too_young = age_refusal(person.birth_year, today)
    if too_young is not None:
        raise too_young
    key = person_key(person.first_name, person.last_name, person.birth_year)
    earlier = queries.open_referral_of(referral.unit_id, key)
    if earlier is not None:
        raise ReferralError(_l("This client already has an open referral to health social work (sent %(day)s).",
                               day=local_date(earlier.created_at, "short")))
    if queries.already_served(person.first_name, person.last_name, person.birth_year):
        raise ReferralError(MESSAGES["served"])
    for name in ("first_name", "last_name", "birth_year", "gender", "municipality_code", "language", "pensioner",
                 "social_welfare_client"):
        value = getattr(person, name)
        setattr(referral, name, value.strip() if isinstance(value, str) else value)
    referral.phone = (person.phone or "").strip() or None
    referral.person_key = key
    referral.consent_by, referral.consent_on, referral.consent_how = consent.by, consent.on, consent.how


def _check_consent(consent: Consent | None, today: date) -> None:
    """Each of who, when and how is required (``consent_refusals`` names every one missing)."""
    refusals = consent_refusals(consent, today)
    if refusals:
        raise refusals[0]


def consent_refusals(consent: Consent | None, today: date) -> list[ReferralError]:
    """Every part of the consent that is missing or wrong, each on its own field (a form shows them at once)."""
    refusals = [ReferralError(MESSAGES["consent"], f"consent_{name}") for name in ("by", "on", "how")
                if consent is None or getattr(consent, name) is None]
    if consent is not None and consent.on is not None and consent.on > today:
        refusals.append(ReferralError(MESSAGES["consent_future"], "consent_on"))
    return refusals


def age_refusal(birth_year: int | None, today: date) -> ReferralError | None:
    """Too young for the programme (its eligibility's minimum age), or None."""
    age_min = registry.definition(queries.PROGRAMME).eligibility.age_min or 0
    if birth_year is not None and today.year - birth_year < age_min:
        return ReferralError(MESSAGES["too_young"], "birth_year")
    return None


def _fill_consultation(referral: Referral, draft: Draft) -> None:
    first, last, year = draft.name or ("", "", None)
    referral.first_name, referral.last_name = (first or "").strip() or None, (last or "").strip() or None
    referral.birth_year = year
    if referral.first_name and referral.last_name and year:
        referral.person_key = person_key(first, last, year)


def _text(value: str | None, limit: int, empty: str, too_long: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ReferralError(MESSAGES[empty], empty)
    if len(value) > limit:
        raise ReferralError(MESSAGES[too_long], empty)
    return value


def accept(actor: User, referral: Referral, client: Client | None, today: date | None = None) -> Enrolment:
    """Take the referral on: the found client (or a new one from the referral) is enrolled, the actor coordinating."""
    _require_open(actor, referral, ReferralKind.REFERRAL, "not_referral")
    today = today or utcnow().date()
    if client is None:
        client = _new_client(actor, referral)
    elif client.id not in {c.id for c in queries.candidates(referral)}:
        raise ReferralError(MESSAGES["client"], "client")
    try:
        enrolment = enrol(actor, client, registry.definition(queries.PROGRAMME), referral.unit, today,
                          coordinator=actor)
    except EnrolmentError as exc:
        raise ReferralError(str(exc)) from exc
    referral.client, referral.enrolment = client, enrolment
    _close(actor, referral, ReferralStatus.ACCEPTED, ["status", "client_id", "enrolment_id"])
    return enrolment


def _new_client(actor: User, referral: Referral) -> Client:
    client = Client(first_name=referral.first_name, last_name=referral.last_name, birth_year=referral.birth_year,
                    gender=referral.gender, municipality_code=referral.municipality_code, language=referral.language,
                    phone=referral.phone, pensioner=referral.pensioner,
                    social_welfare_client=referral.social_welfare_client)
    db.session.add(client)
    db.session.flush()
    record(actor, AuditAction.CREATE, "people", "client", client.id, client.id)
    return client


def answer(actor: User, referral: Referral, text: str) -> Referral:
    """The health social worker's answer to a consultation; the referrer sees it on their list."""
    _require_open(actor, referral, ReferralKind.CONSULTATION, "not_consultation")
    referral.answer = _text(text, ANSWER_MAX, "answer", "answer_long")
    _close(actor, referral, ReferralStatus.ANSWERED, ["status", "answer"])
    return referral


def _require_open(actor: User, referral: Referral, kind: ReferralKind, wrong_kind: str) -> None:
    if not permissions.can_handle(actor, referral):
        raise PermissionError("not this unit's referral")
    if referral.kind is not kind:
        raise ReferralError(MESSAGES[wrong_kind])
    if not referral.is_open:
        raise ReferralError(MESSAGES["handled"])


def _close(actor: User, referral: Referral, status: ReferralStatus, fields: list[str]) -> None:
    referral.status, referral.handled_at, referral.handled_by = status, utcnow(), actor
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, referral.kind.value, referral.id, referral.client_id,
           {"fields": fields})


@dataclass(frozen=True)
class LoggedContact:
    """A contact that had no appointment: an email, a text message, a call the client made."""

    contact_type: str
    modality: Modality
    starts_at: datetime
    minutes: int
    outcome: ContactOutcome | None
    note: str | None = None


def log_contact(actor: User, enrolment: Enrolment, entry: LoggedContact, now: datetime | None = None) -> Contact:
    """Record a held contact without an appointment, through the meetings feature's one writer.

    The first held contact moves the enrolment from ``referred`` to ``working`` (``on_contact_recorded``).
    """
    now = now or utcnow()
    _check_contact(enrolment, entry, now)
    record_entry = meetings.ContactRecord(
        status=ContactStatus.HELD, modality=entry.modality, starts_at=entry.starts_at,
        ends_at=entry.starts_at + timedelta(minutes=entry.minutes), note=entry.note, outcome=entry.outcome)
    return meetings.write_contact(actor, None, enrolment=enrolment, contact_type=entry.contact_type,
                                  entry=record_entry)


def on_contact_recorded(actor: User, contact: Contact, enrolment: Enrolment) -> None:
    """Receiver of ``portal.signals.contact_recorded``: the first held contact of a referred client, logged here
    or recorded for a booked meeting, moves them from ``referred`` to ``working`` (plans' audited phase move)."""
    if enrolment.programme_code != queries.PROGRAMME or contact.status is not ContactStatus.HELD:
        return
    definition = registry.definition(enrolment.programme_code)
    if enrolment.phase == definition.first_phase and len(definition.phases) > 1:
        from portal.plans.operations import move_to_next_phase

        move_to_next_phase(actor, enrolment, definition.first_phase)


def init_receivers() -> None:
    """Connect once (blinker keeps a weak reference to module-level functions: fine)."""
    from portal.signals import contact_recorded

    contact_recorded.connect(on_contact_recorded)


def _check_contact(enrolment: Enrolment, entry: LoggedContact, now: datetime) -> None:
    if not meetings.records_outcome(enrolment.programme_code):
        raise ReferralError(MESSAGES["programme"])
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        raise ReferralError(MESSAGES["ended"])
    contact_type = registry.definition(enrolment.programme_code).contact_type(entry.contact_type)
    if contact_type is None or contact_type.group:
        raise ReferralError(MESSAGES["contact_type"], "contact_type")
    if entry.modality not in contact_type.modalities:
        raise ReferralError(MESSAGES["modality"], "modality")
    if entry.starts_at + timedelta(minutes=entry.minutes) > now + meetings.CLOCK_SLACK:
        raise ReferralError(MESSAGES["future"], "start")
    if entry.starts_at < now - timedelta(days=366):
        raise ReferralError(MESSAGES["too_old"], "day")
    if entry.outcome is None:
        raise ReferralError(MESSAGES["outcome"], "outcome")
