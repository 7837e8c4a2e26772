"""Who may read a client's data through the FHIR API: the same rule as the rest of the portal.

A signed-in staff member who may see the client (``people.permissions.can_see_client``: coordinator,
deputy, own team, team lead of the unit, for a while after the service ends), or the client themselves.
Administrators, referrers and others get nothing, as in the portal's own pages.
"""

from __future__ import annotations

from collections.abc import Iterable

from portal.auth.models import User
from portal.people.permissions import can_see_client
from portal.people.queries import client_of_user


def may_read_client(user: User, client_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_client:
        own = client_of_user(user)
        return own is not None and own.id == client_id
    return can_see_client(user, client_id)


def readable_clients(user: User, client_ids: Iterable[int]) -> set[int]:
    """The ones among ``client_ids`` that ``user`` may read (each checked once)."""
    return {client_id for client_id in set(client_ids) if may_read_client(user, client_id)}
