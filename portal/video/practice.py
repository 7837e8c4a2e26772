"""A client's practice result, kept for the person (any device), not in one browser.

The browser judges the echo test (static/js/video/echo.js) and reports its verdict with the echo room it
used; only a verdict from an echo room this user opened a moment ago is kept, so a result always stands
for a test that ran. The latest result counts (a poor test on the phone after a good one on the laptop
takes the skip away again), and only for ``PRACTICE_VALID_DAYS``: networks and devices change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.extensions import db
from portal.people.models import Client
from portal.video.models import ParticipantRole, PracticeResult, PracticeVerdict, RoomKind, VideoParticipant, VideoRoom

FEATURE = "video"
PRACTICE_VALID_DAYS = 30
REPORT_WITHIN = timedelta(minutes=10)  # from opening the echo room to reporting its verdict


class PracticeRefused(Exception):
    """The report names no echo test of this user's that just ran, or no known verdict."""


def record_practice(actor: User, client: Client, verdict: str, echo_key: str, now: datetime) -> PracticeResult:
    """Keep the client's latest echo-test verdict (one row per client), audited as a change of their data."""
    try:
        verdict = PracticeVerdict(verdict)
    except ValueError as exc:
        raise PracticeRefused("verdict") from exc
    if not _ran_echo_test(actor, echo_key, now):
        raise PracticeRefused("room")
    result = db.session.get(PracticeResult, client.id)
    action = AuditAction.UPDATE if result is not None else AuditAction.CREATE
    if result is None:
        result = PracticeResult(client_id=client.id)
        db.session.add(result)
    result.practiced_at, result.verdict = now, verdict
    db.session.flush()
    record(actor, action, FEATURE, "practice_result", client.id, client.id, {"verdict": verdict.value})
    return result


def _ran_echo_test(user: User, key: str, now: datetime) -> bool:
    return db.session.scalar(
        select(VideoRoom.id).join(VideoParticipant, VideoParticipant.room_id == VideoRoom.id)
        .where(VideoRoom.key == str(key)[:32], VideoRoom.kind == RoomKind.ECHO,
               VideoRoom.created_at > now - REPORT_WITHIN, VideoParticipant.user_id == user.id,
               VideoParticipant.role == ParticipantRole.GUEST)) is not None


def latest(client: Client) -> PracticeResult | None:
    """The client's latest practice result (the practice page says when and how it went)."""
    return db.session.get(PracticeResult, client.id)


def may_skip_check(client: Client | None, now: datetime) -> bool:
    """Whether the client's latest practice, on any device, went well recently enough to skip the check."""
    result = latest(client) if client is not None else None
    return result is not None and result.good and result.practiced_at > now - timedelta(days=PRACTICE_VALID_DAYS)
