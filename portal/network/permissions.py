"""Who may read and change a client's network.

The team (case workers who may see the client: the coordinator, the deputy, own-team members, the unit's
team lead) reads and records it; the client reads only the contacts they wished to see.
"""

from __future__ import annotations

from portal.auth.models import User
from portal.network.models import NetworkContact
from portal.people.permissions import can_see_client
from portal.web.access import CASEWORK_ROLES


def can_manage(user: User, client_id: int) -> bool:
    return user.has_role(*CASEWORK_ROLES) and can_see_client(user, client_id)


def can_manage_contact(user: User, contact: NetworkContact) -> bool:
    return can_manage(user, contact.client_id)
