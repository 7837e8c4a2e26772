"""A client's network: professionals outside Silta, with the client's consent to contact each.

Seed 003 coordinates a client's many services; seed 004's health centre works with an asiakasvastaava and
sometimes in parallel with social welfare. These rows name those people (or a pharmacy), so the own team
knows whom to call, and whether the client agreed to it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import str_enum, utcnow
from portal.extensions import db

MAX_NAME = 200
MAX_PHONE = 32


class NetworkRole(enum.StrEnum):
    """What the professional is to the client (the seeds' examples; "other" with the title written out)."""

    CLIENT_COORDINATOR = "client_coordinator"  # asiakasvastaava (seed 004)
    SOCIAL_WELFARE_WORKER = "social_welfare_worker"  # social welfare, in parallel support (seed 004)
    DOCTOR = "doctor"
    PHARMACY = "pharmacy"
    OTHER = "other"


class NetworkContact(db.Model):
    __tablename__ = "network_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    role: Mapped[NetworkRole] = mapped_column(str_enum(NetworkRole, 32))
    title: Mapped[str | None] = mapped_column(String(120))  # the role in words, for "other" or to be precise
    name: Mapped[str | None] = mapped_column(String(MAX_NAME))  # a pharmacy has no person
    organisation: Mapped[str] = mapped_column(String(MAX_NAME))
    phone: Mapped[str | None] = mapped_column(String(MAX_PHONE))
    # The client agreed that the team may contact this professional about them.
    consent_to_contact: Mapped[bool]
    # The client wishes to see this contact on their own page (/me/network).
    shown_to_client: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
