"""Reads of a client's network."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select

from portal.auth.models import User
from portal.extensions import db
from portal.network.models import NetworkContact
from portal.people.models import Client


def contacts_of(client_id: int) -> list[NetworkContact]:
    """The whole network, as the team sees it, by role and then as entered."""
    return list(db.session.scalars(select(NetworkContact).where(NetworkContact.client_id == client_id)
                                   .order_by(NetworkContact.role, NetworkContact.id)))


def shown_to_client(user: User) -> tuple[Client | None, list[NetworkContact]]:
    """The signed-in client and the contacts they wished to see."""
    client = db.session.scalar(select(Client).where(Client.user_id == user.id))
    if client is None:
        return None, []
    return client, list(db.session.scalars(select(NetworkContact).where(
        NetworkContact.client_id == client.id, NetworkContact.shown_to_client.is_(True))
        .order_by(NetworkContact.role, NetworkContact.id)))


def shown_exists(user_id) -> ColumnElement[bool]:
    """Whether the client has any contact they wished to see (the header asks on every page:
    portal/web/header.py)."""
    return exists().where(NetworkContact.client_id == Client.id, Client.user_id == user_id,
                          NetworkContact.shown_to_client.is_(True))
