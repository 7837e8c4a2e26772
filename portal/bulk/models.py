"""A bulk export: who asked, for what, how far it got, and which files it wrote (under the instance folder)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import str_enum, utcnow
from portal.extensions import db


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BulkExport(db.Model):
    __tablename__ = "bulk_exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: the status URL names it
    api_client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))  # None: system
    types: Mapped[list] = mapped_column(JSON)
    since: Mapped[datetime | None]
    request_url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[ExportStatus] = mapped_column(str_enum(ExportStatus, 16), default=ExportStatus.QUEUED, index=True)
    progress: Mapped[str | None] = mapped_column(String(100))
    output: Mapped[list | None] = mapped_column(JSON)  # [{"type": "Patient", "count": 12}, ...]
    error: Mapped[str | None] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)
