"""Video rooms, who is in them, and the invite links that let people without an account in.

A room belongs to an appointment (or is opened ad hoc by a worker for a client); its participants are
people, each with at most one live signaling connection. The actual start and end of the call are
kept here; the meeting record the worker completes afterwards is a ``Contact`` (portal/meetings) of the same
appointment.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment


class RoomKind(enum.StrEnum):
    MEETING = "meeting"
    ECHO = "echo"  # the pre-call network test: the tester and the echo bot


class RoomMedia(enum.StrEnum):
    MESH = "mesh"  # every browser sends to every other (operations.MAX_PEOPLE)
    SFU = "sfu"  # Janus forwards (portal/video/sfu.py): group sessions and bigger meetings


class ParticipantRole(enum.StrEnum):
    HOST = "host"
    WORKER = "worker"
    CLIENT = "client"
    GUEST = "guest"
    BOT = "bot"


STAFF_ROLES = (ParticipantRole.HOST, ParticipantRole.WORKER)
# Who waits to be admitted; staff and bots go straight in.
WAITING_ROLES = (ParticipantRole.CLIENT, ParticipantRole.GUEST)


class VideoRoom(db.Model):
    __tablename__ = "video_rooms"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index("ix_video_rooms_host_created", "host_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[RoomKind] = mapped_column(str_enum(RoomKind, 16))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), unique=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
    # Let clients and guests in without the waiting room (the host's choice; the benchmark uses it).
    auto_admit: Mapped[bool] = mapped_column(default=False)
    media: Mapped[RoomMedia] = mapped_column(str_enum(RoomMedia, 8), default=RoomMedia.MESH,
                                             server_default=RoomMedia.MESH.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]  # the first moment two people were in the call
    ended_at: Mapped[datetime | None]  # the host ended it for everyone
    # Started as "meeting now": ending it shortens its booking, and its host may reopen it for a while.
    adhoc: Mapped[bool] = mapped_column(default=False, server_default=false())

    appointment: Mapped[Appointment | None] = relationship()
    enrolment: Mapped[Enrolment | None] = relationship()
    host: Mapped[User | None] = relationship()
    participants: Mapped[list[VideoParticipant]] = relationship(
        back_populates="room", cascade="all, delete-orphan", order_by="VideoParticipant.id"
    )

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def finished_at(self) -> datetime | None:
        """When the call ended: the host's end, or the last person leaving (a host who just closed the tab)."""
        if self.ended_at is not None or self.started_at is None or any(p.in_call for p in self.participants):
            return self.ended_at
        left = [p.last_left_at for p in self.participants if p.last_left_at is not None]
        return max(left) if left else None

    @property
    def client_id(self) -> int | None:
        return self.enrolment.client_id if self.enrolment is not None else None


class VideoParticipant(db.Model):
    __tablename__ = "video_participants"
    __table_args__ = (
        # One participant row per account and room; guests (no account) get one per invite.
        UniqueConstraint("room_id", "user_id", name="one_per_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("video_rooms.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[ParticipantRole] = mapped_column(str_enum(ParticipantRole, 16))
    display_name: Mapped[str] = mapped_column(String(120))
    admitted_at: Mapped[datetime | None]
    waiting_since: Mapped[datetime | None]
    # The live Socket.IO connection in the call (or in the waiting room); None when not connected.
    live_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    in_call: Mapped[bool] = mapped_column(default=False)
    first_joined_at: Mapped[datetime | None]
    last_left_at: Mapped[datetime | None]
    # The waiting client went to answer the ORS and is coming back: they stay in the worker's list meanwhile.
    away_since: Mapped[datetime | None]
    # The signed-in session the person waited in (and, once admitted, was admitted in): an admission holds
    # for that session only (operations.admission_lapsed), so a forwarded link or another device waits again.
    admitted_session: Mapped[str | None] = mapped_column(String(64))

    room: Mapped[VideoRoom] = relationship(back_populates="participants")
    user: Mapped[User | None] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def needs_admission(self) -> bool:
        return (self.role in WAITING_ROLES and self.admitted_at is None and not self.room.auto_admit
                and self.room.kind == RoomKind.MEETING)


class VideoInvite(db.Model):
    """A link for one person into one room's waiting room; only a hash of its secret is stored."""

    __tablename__ = "video_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("video_rooms.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("video_participants.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]

    room: Mapped[VideoRoom] = relationship()
    participant: Mapped[VideoParticipant] = relationship()
    created_by: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at and self.room.ended_at is None


class PracticeVerdict(enum.StrEnum):
    """The echo test's plain verdicts (static/js/video/echo.js)."""

    VIDEO = "video"
    VOICE = "voice"
    POOR = "poor"
    UNAVAILABLE = "unavailable"


class PracticeResult(db.Model):
    """A client's latest echo test (the practice page or a meeting's check), kept for the person rather than
    the browser: after a good one on any device, the check before a meeting may be skipped."""

    __tablename__ = "video_practice_results"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    practiced_at: Mapped[datetime]
    verdict: Mapped[PracticeVerdict] = mapped_column(str_enum(PracticeVerdict, 16))

    @property
    def good(self) -> bool:
        return self.verdict in (PracticeVerdict.VIDEO, PracticeVerdict.VOICE)
