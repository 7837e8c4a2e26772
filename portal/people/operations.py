"""Changes to clients' data. Each one writes the audit record with the changed fields' names."""

from __future__ import annotations

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.extensions import db
from portal.people.models import Client, ClientLanguage, ContactChannel, DiagnosisGroup

CONTACT_FIELDS = ("phone", "email", "address", "preferred_channel", "prefers_home_visits", "contact_notes",
                  "preferred_weekdays", "preferred_day_parts")
BACKGROUND_FIELDS = CONTACT_FIELDS + (
    "municipality_code", "language", "pensioner", "social_welfare_client", "diagnosis_group",
)
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
