"""Recording a client's network: add, change, remove. Each writes its audit record; the request commits."""

from __future__ import annotations

from dataclasses import dataclass

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _l
from portal.network.models import NetworkContact, NetworkRole
from portal.people.models import Client

FEATURE = "network"


class NetworkRefused(Refusal):
    """A contact the rules refuse (translated message, the field it is about)."""


@dataclass
class ContactDetails:
    role: NetworkRole
    organisation: str
    title: str | None = None
    name: str | None = None
    phone: str | None = None
    consent_to_contact: bool = False
    shown_to_client: bool = False


def _clean(details: ContactDetails) -> dict:
    values = {k: (v.strip() or None) if isinstance(v, str) and k != "role" else v for k, v in vars(details).items()}
    if not values["organisation"]:
        raise NetworkRefused(_l("Give the organisation."), "organisation")
    if values["role"] is NetworkRole.OTHER and not values["title"]:
        raise NetworkRefused(_l("Write the professional's role when it is not one of the list."), "title")
    return values


def add_contact(actor: User, client: Client, details: ContactDetails) -> NetworkContact:
    """Add a professional to the client's network."""
    contact = NetworkContact(client_id=client.id, created_by_id=actor.id, **_clean(details))
    db.session.add(contact)
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "network_contact", contact.id, client.id)
    return contact


def update_contact(actor: User, contact: NetworkContact, details: ContactDetails) -> NetworkContact:
    """Change a contact (its consent and whether the client sees it included)."""
    for key, value in _clean(details).items():
        setattr(contact, key, value)
    contact.updated_at = utcnow()
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "network_contact", contact.id, contact.client_id)
    return contact


def remove_contact(actor: User, contact: NetworkContact) -> None:
    """Remove a contact from the network (the audit trail keeps that it was there)."""
    record(actor, AuditAction.DELETE, FEATURE, "network_contact", contact.id, contact.client_id)
    db.session.delete(contact)
    db.session.flush()
