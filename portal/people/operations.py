"""Changes to clients' data. Each one writes the audit record with the changed fields' names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth import tokens
from portal.auth.models import AccountKind, User
from portal.auth.operations import PasswordRefused, check_new_password, find_by_email, set_password
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _l
from portal.people import identity
from portal.people.models import (
    Client,
    ClientLanguage,
    ClientUnit,
    ContactChannel,
    DiagnosisGroup,
    Gender,
    OrgUnit,
    UnitMembership,
)
from portal.people.queries import client_by_identity_hash, client_of_user

CONTACT_FIELDS = ("phone", "email", "address", "preferred_channel", "prefers_home_visits", "contact_notes",
                  "preferred_weekdays", "preferred_day_parts")
BACKGROUND_FIELDS = CONTACT_FIELDS + (
    "municipality_code", "language", "pensioner", "social_welfare_client", "diagnosis_group",
)
# What a worker of the client's unit who is not named on any of their services may change: not the
# diagnosis group (health data stays with the services' named people).
REGISTRATION_FIELDS = tuple(f for f in BACKGROUND_FIELDS if f != "diagnosis_group")
_ENUMS = {"preferred_channel": ContactChannel, "language": ClientLanguage, "diagnosis_group": DiagnosisGroup}


def _clean(field: str, value):
    if isinstance(value, list):  # checkboxes: the chosen values once each, in order (the form checked them)
        return sorted(set(value))
    if isinstance(value, str):
        value = value.strip() or None
    if field == "email" and value:
        value = value.lower()
    if field in _ENUMS and value is not None:
        value = _ENUMS[field](value)
    return value


def update_client(actor: User, client: Client, data: dict, fields: tuple[str, ...]) -> list[str]:
    """Apply the allowed ``fields`` from ``data``; audit and return the names of those that changed."""
    changed = []
    for field in fields:
        value = _clean(field, data.get(field))
        if getattr(client, field) != value:
            setattr(client, field, value)
            changed.append(field)
    if changed:
        record(actor, AuditAction.UPDATE, "people", "client", client.id, client.id, {"fields": changed})
        db.session.flush()
    return changed


# --- registration ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Registration:
    """What the worker typed, checked by the form (the identity code already parsed, never kept in clear)."""

    first_name: str
    last_name: str
    birth_year: int
    birth_date: date | None
    gender: Gender
    municipality_code: str
    language: ClientLanguage
    code: identity.IdentityCode | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    preferred_channel: ContactChannel = ContactChannel.SMS

    @property
    def identity_hash(self) -> str | None:
        return identity.identity_hash(self.code) if self.code is not None else None


ALREADY_REGISTERED = _l("A client with this identity code is already registered. Choose them below.")


def register_client(actor: User, unit: OrgUnit, data: Registration, duplicate_reason: str | None = None) -> Client:
    """A new client in ``unit``. Refusal when the identity code is taken (also when a parallel request won)."""
    client = Client(first_name=data.first_name.strip(), last_name=data.last_name.strip(), birth_year=data.birth_year,
                    birth_date=data.birth_date, gender=data.gender, municipality_code=data.municipality_code,
                    language=data.language, identity_hash=data.identity_hash, phone=_clean("phone", data.phone),
                    email=_clean("email", data.email), address=_clean("address", data.address),
                    preferred_channel=data.preferred_channel, duplicate_reason=_clean("x", duplicate_reason))
    try:
        with db.session.begin_nested():  # the unique identity hash decides a race between two registrations
            db.session.add(client)
            db.session.flush()
    except IntegrityError:
        if client.identity_hash is None or client_by_identity_hash(client.identity_hash) is None:
            raise
        raise Refusal(ALREADY_REGISTERED, "identity_code") from None
    db.session.add(ClientUnit(client=client, unit_id=unit.id, added_by_id=actor.id))
    fields = [f for f in ("birth_date", "identity_hash", "phone", "email", "address", "duplicate_reason")
              if getattr(client, f) is not None]
    record(actor, AuditAction.CREATE, "people", "client", client.id, client.id,
           {"unit": unit.id, "fields": ["first_name", "last_name", "birth_year", *fields]})
    db.session.flush()
    return client


def register_or_match(actor: User, unit: OrgUnit, data: Registration, candidates: list[Client], choice: str,
                      reason: str | None) -> Client | None:
    """The "is this the same person?" step. ``choice`` is "existing-<id>" (one of ``candidates``), "new" or "".

    None: the worker must still choose (candidates found, nothing chosen). A client with the same identity
    code can only be chosen; creating another anyway needs a reason. A worker registers into their own units only.
    """
    if not db.session.scalar(select(exists().where(UnitMembership.unit_id == unit.id,
                                                   UnitMembership.user_id == actor.id))):
        raise Refusal(_l("You can register clients only in your own units."), "unit_id")
    if choice.startswith("existing-"):
        match = next((c for c in candidates if choice == f"existing-{c.id}"), None)
        if match is None:
            raise Refusal(_l("Choose one of the clients shown, or register a new client."), "same_person")
        return take_into_unit(actor, match, unit, data)
    if not candidates:
        return register_client(actor, unit, data)
    if data.identity_hash is not None and candidates[0].identity_hash == data.identity_hash:
        if choice == "new":
            raise Refusal(ALREADY_REGISTERED, "same_person")
        return None
    if choice != "new":
        return None
    if not (reason or "").strip():
        raise Refusal(_l("Say briefly why this is a different person, e.g. a different address or parents."),
                      "duplicate_reason")
    return register_client(actor, unit, data, reason)


def take_into_unit(actor: User, client: Client, unit: OrgUnit, data: Registration) -> Client:
    """The worker chose an existing client as the person registered: the client joins ``unit``.

    A code typed now is added when the client had none; one that differs is refused (another person).
    """
    digest = data.identity_hash
    if digest is not None and client.identity_hash not in (None, digest):
        raise Refusal(_l("This client has a different identity code: they are not the same person."))
    if digest is not None and client.identity_hash is None:
        client.identity_hash = digest
        client.birth_date = client.birth_date or data.birth_date
        record(actor, AuditAction.UPDATE, "people", "client", client.id, client.id, {"fields": ["identity_hash"]})
    if all(link.unit_id != unit.id for link in client.units):
        try:
            with db.session.begin_nested():  # a colleague may add the client to the unit at the same moment
                db.session.add(ClientUnit(client=client, unit_id=unit.id, added_by_id=actor.id))
        except IntegrityError:
            db.session.expire(client, ["units"])
        else:
            record(actor, AuditAction.CREATE, "people", "client_unit", unit.id, client.id)
    db.session.flush()
    return client


def set_identity_code(actor: User, client: Client, code: identity.IdentityCode) -> None:
    """Enter (or enter again, e.g. after the hash key was lost) a known client's identity code.

    Refused when another client has it. The code is the official record: its birth date replaces one
    entered by hand (the check character catches typos in the code).
    """
    digest = identity.identity_hash(code)
    other = client_by_identity_hash(digest)
    if other is not None and other.id != client.id:
        raise Refusal(_l("Another client already has this identity code."), "identity_code")
    values = {"identity_hash": digest, "birth_date": code.birth_date, "birth_year": code.birth_date.year}
    changed = [field for field, value in values.items() if getattr(client, field) != value]
    try:
        with db.session.begin_nested():  # the unique hash decides a race with a registration
            for field, value in values.items():
                setattr(client, field, value)
            db.session.flush()
    except IntegrityError:
        raise Refusal(_l("Another client already has this identity code."), "identity_code") from None
    if changed:
        record(actor, AuditAction.UPDATE, "people", "client", client.id, client.id, {"fields": changed})


def ensure_account(client: Client, locale: str | None = None) -> User:
    """The client's portal account, created without a password or email when they have none yet."""
    if client.user is None:
        client.user = User(kind=AccountKind.CLIENT, display_name=client.full_name, email=None, password_hash=None,
                           locale=locale or ("sv" if client.language is ClientLanguage.SV else "fi"))
        db.session.add(client.user)
        db.session.flush()
    return client.user


# --- activation and Suomi.fi ----------------------------------------------------------------------

def issue_activation_code(actor: User, client: Client, channel: str) -> str:
    """A new activation code for the client (earlier ones stop working); the account is made if missing.

    Valid ``CLIENT_ACTIVATION_DAYS`` (a letter takes days to reach its reader). The plain code is returned
    once, for the message or the letter: only its keyed hash is stored (portal/auth/tokens.py).
    """
    if channel == "sms" and not client.phone:
        raise Refusal(_l("The client has no phone number: add it first, or print a letter."), "channel")
    if channel == "email" and not client.email:
        raise Refusal(_l("The client has no email address: add it first, or print a letter."), "channel")
    user = ensure_account(client)
    if not user.active:
        raise Refusal(_l("The client's account is not in use."), "channel")
    days = current_app.config["CLIENT_ACTIVATION_DAYS"]
    code = tokens.issue(user, tokens.TokenPurpose.CLIENT_ACTIVATE, ttl=timedelta(days=days), actor=actor, human=True)
    record(actor, AuditAction.CREATE, "people", "activation_code", user.id, client.id, {"channel": channel})
    return code


ACTIVATION_MISMATCH = _l("The activation code or the date of birth does not match. Check them, or ask your worker "
                         "for a new code.")


def activate_account(code: str, birth_date: date, email: str, password: str) -> User:
    """Redeem a client's activation code: check the birth date, set the login email and password.

    The code is consumed only when everything matches, so a typo in the date costs one try of the rate
    limit, not the letter. Refusal for a wrong date or an email another account uses; TokenError (from
    portal/auth/tokens.py) for an unknown, expired or used code.
    """
    row = tokens.lookup(code, tokens.TokenPurpose.CLIENT_ACTIVATE)
    client = _client_of(row.user)
    if client is None or not _birth_matches(client, birth_date):
        raise Refusal(ACTIVATION_MISMATCH, "birth_date")
    email = email.strip().lower()
    other = find_by_email(email)
    if other is not None and other.id != row.user_id:
        raise Refusal(_l("This email address is already used by another account. Please use another one."), "email")
    row.user.email = email
    try:
        check_new_password(row.user, password)
    except PasswordRefused as refused:
        raise Refusal(refused.args[0], "password") from None
    user = tokens.redeem(code, tokens.TokenPurpose.CLIENT_ACTIVATE)
    set_password(user, user, password, "client_activated")  # ends any older session of the account
    record(user, AuditAction.UPDATE, "people", "account", user.id, client.id, {"fields": ["email", "password"]})
    db.session.flush()
    return user


def _client_of(user: User) -> Client | None:
    return client_of_user(user) if user.is_client else None


def _birth_matches(client: Client, born: date) -> bool:
    # Clients registered with a birth year only are asked the same date; only its year can be checked.
    return born == client.birth_date if client.birth_date else born.year == client.birth_year


def bind_identity_login(provider: dict, claims: dict) -> User | None:
    """The account of the client whose identity code a clients' identity provider (Suomi.fi) sent, or None.

    The code comes in the claim the provider is configured with (``identity_claims``; Suomi.fi:
    ``urn:oid:1.2.246.21``). Exactly one client can match (the hash is unique); a client is never created
    here. A client without a portal account gets one (no password: they sign in through the provider).
    The caller binds the login (issuer + subject) to the account returned.
    """
    raw = next((claims[name] for name in identity_claim_names(provider) if claims.get(name)), None)
    try:
        code = identity.parse(str(raw)) if raw else None
    except identity.InvalidIdentityCode:
        code = None
    client = client_by_identity_hash(identity.identity_hash(code)) if code else None
    if client is None:
        return None
    created = client.user is None
    user = ensure_account(client)
    if not user.active:
        return None
    record(user, AuditAction.CREATE, "auth", "oidc_binding", user.id, client.id, {"account_created": created})
    return user


DEFAULT_IDENTITY_CLAIMS = ("urn:oid:1.2.246.21", "national_identification_number", "nationalIdentificationNumber")


def identity_claim_names(provider: dict) -> tuple[str, ...]:
    names = provider.get("identity_claims") or DEFAULT_IDENTITY_CLAIMS
    return (names,) if isinstance(names, str) else tuple(names)
