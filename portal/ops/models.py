"""Heartbeats of background runners, kept in the database when there is no Redis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class Heartbeat(db.Model):
    """One row per runner ("jobs"): when it last ran and how many runs and failures it has counted."""

    __tablename__ = "ops_heartbeats"
    __table_args__ = (CheckConstraint("runs >= 0 AND failures >= 0 AND failures <= runs", name="counts"),)

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime]
    runs: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
