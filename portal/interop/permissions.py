"""Who is reading through the FHIR API and what they may see: one ``Reader``, from ``current_reader()``.

Every view asks ``current_reader()`` first and then only asks the reader (``may_read_client``,
``may_read_enrolment``, ``audit``). Today the reader is the portal's signed-in session: a staff member who
may see the client (``people.permissions.can_see_client``: coordinator, deputy, own team, team lead of the
unit, for a while after the service ends), or the client themselves. Administrators, referrers and others
get nothing, as in the portal's own pages.

SMART on FHIR (portal/smart) plugs in here: a request hook that accepts a bearer token puts its own
``Reader`` on ``flask.g.fhir_reader`` (the user behind a user-facing token, the client application's name
for the audit trail, the granted scopes); ``current_reader()`` prefers it over the session cookie.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import abort, g
from flask_login import current_user

from portal.audit.operations import record_read
from portal.auth.models import User
from portal.interop import queries
from portal.people.permissions import can_see_client
from portal.people.queries import client_of_user
from portal.plans import permissions as plans
from portal.programmes.models import Enrolment
from portal.web.access import CASEWORK_ROLES


@dataclass(frozen=True)
class Reader:
    """A reader of the API. ``application`` names the client application (None: the portal's own session);
    ``resource_types`` limits the types it may read (None: every type, as for a session)."""

    user: User | None  # None: a backend service reading for itself (portal/smart)
    application: str | None = None
    resource_types: frozenset[str] | None = None

    def may_read_type(self, resource_type: str) -> bool:
        return self.resource_types is None or resource_type in self.resource_types

    def may_read_client(self, client_id: int) -> bool:
        if self.user.is_client:
            own = client_of_user(self.user)
            return own is not None and own.id == client_id
        return can_see_client(self.user, client_id)

    def readable_clients(self, client_ids: Iterable[int]) -> set[int]:
        """The ones among ``client_ids`` this reader may read (each checked once)."""
        return {client_id for client_id in set(client_ids) if self.may_read_client(client_id)}

    def may_read_enrolment(self, enrolment: Enrolment) -> bool:
        """A plan or care team: the plan's rule (the client, their workers, break-glass)."""
        return plans.can_read(self.user, enrolment)

    def may_read_staff(self, staff_id: int) -> bool:
        """A Practitioner: staff read every colleague; a client the staff in their own appointments, care teams,
        answers and plans (the names they already see in the portal)."""
        if self.is_staff():
            return True
        client_id = self.own_client_id()
        return client_id is not None and queries.staff_of_client(client_id, staff_id)

    def is_client_or_caseworker(self) -> bool:
        return self.user.is_client or self.user.has_role(*CASEWORK_ROLES)

    def may_read_unit(self, unit_id: int) -> bool:
        """An Organization (a unit): not personal data, any reader."""
        return True

    def is_staff(self) -> bool:
        return self.user.is_staff

    def own_client_id(self) -> int | None:
        own = client_of_user(self.user) if self.user.is_client else None
        return own.id if own is not None else None

    def audit(self, resource_type: str, resource_id: object, client_id: int) -> None:
        """One audited read of one client's data (feature "interop")."""
        record_read(self.user, "interop", resource_type, resource_id, client_id)


def current_reader() -> Reader:
    """The reader of this request: a bearer token's (``g.fhir_reader``), else the signed-in session; 401 when
    nobody is signed in."""
    reader = g.get("fhir_reader")
    if reader is not None:
        return reader
    if not current_user.is_authenticated:
        abort(401)
    return Reader(user=current_user._get_current_object())

