"""Changes to the organisation: municipalities and units (the administrator's pages call these).

Apart from ``operations.py`` (clients and their data) because nothing here concerns a client.
Audited with field names only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _l
from portal.people.models import Municipality, OrgUnit

FEATURE = "admin"
UNIT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


class OrganisationRefused(Refusal):
    """A change the organisation rules refuse (the shared refusal: translated message, optional form field)."""


def save_municipality(actor: User, code: str | None, name_fi: str, name_sv: str,
                      existing: Municipality | None = None) -> Municipality:
    """Add a municipality by its official three-digit code, or rename one (the code never changes)."""
    row = existing
    if row is None:
        code = (code or "").strip()
        if not re.fullmatch(r"\d{3}", code):
            raise OrganisationRefused(_l("The municipality code is three digits (Statistics Finland), e.g. 091."),
                                      "code")
        if db.session.get(Municipality, code) is not None:
            raise OrganisationRefused(_l("A municipality with this code exists already."), "code")
        row = Municipality(code=code)
        db.session.add(row)
    row.name_fi, row.name_sv = name_fi.strip(), name_sv.strip()
    record(actor, AuditAction.CREATE if existing is None else AuditAction.UPDATE, FEATURE, "municipality", row.code)
    db.session.flush()
    return row


@dataclass
class UnitDetails:
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    county: str
    municipality_codes: set[str] = field(default_factory=set)
    phone: str | None = None
    phone_opens: time | None = None
    phone_closes: time | None = None
    reply_days: int = 2


def save_unit(actor: User, details: UnitDetails, unit: OrgUnit | None = None) -> OrgUnit:
    """Add a unit or change one: names in three languages, the wellbeing county, the municipalities served."""
    code = details.code.strip().lower()
    if not UNIT_CODE.match(code):
        raise OrganisationRefused(_l("Use 2–40 lower-case letters, digits and dashes, e.g. hki-etaohjaus."), "code")
    other = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if other is not None and other is not unit:
        raise OrganisationRefused(_l("Another unit already uses this code."), "code")
    municipalities = [db.session.get(Municipality, c) for c in sorted(details.municipality_codes)]
    if not municipalities or None in municipalities:
        raise OrganisationRefused(_l("Choose at least one municipality the unit serves."), "municipalities")
    created = unit is None
    if created:
        unit = OrgUnit()
        db.session.add(unit)
    unit.code, unit.county = code, details.county.strip()
    unit.name_fi, unit.name_sv, unit.name_en = details.name_fi.strip(), details.name_sv.strip(), details.name_en.strip()
    unit.municipalities = municipalities
    unit.phone = (details.phone or "").strip() or None
    unit.phone_opens, unit.phone_closes, unit.reply_days = details.phone_opens, details.phone_closes, details.reply_days
    db.session.flush()
    record(actor, AuditAction.CREATE if created else AuditAction.UPDATE, FEATURE, "unit", unit.id)
    return unit
