"""What the video pages show: today's meetings, who is waiting, invites, what the client sees as a way out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, url_for
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from portal import signals
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.groups.models import GroupSession
from portal.i18n import _
from portal.people.models import Client
from portal.people.queries import client_of_user
from portal.programmes.models import Enrolment
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, Participant
from portal.video.models import STAFF_ROLES, ParticipantRole, RoomKind, VideoInvite, VideoParticipant, VideoRoom
from portal.video.practice import may_skip_check

# A room can be opened this long before the appointment (to test devices and wait) and until it ends.
JOIN_EARLY = timedelta(minutes=30)
JOIN_LATE = timedelta(minutes=30)


@dataclass
class Meeting:
    appointment: Appointment
    room: VideoRoom | None
    waiting: int
    open_now: bool  # within the joining window (half an hour before until half an hour after)


def room_for_appointment(session, appointment_id: int) -> VideoRoom | None:
    return session.scalar(select(VideoRoom).where(VideoRoom.appointment_id == appointment_id))


def meetings_today(user: User, now: datetime) -> list[Meeting]:
    """The user's video appointments that can be joined now or later today (Helsinki day)."""
    client = client_of_user(user) if user.is_client else None
    params = {"since": now - JOIN_LATE, "until": now + timedelta(hours=18)}
    if client is not None:
        params["client_id"] = client.id
    else:
        params["user_id"] = user.id
    appointments = db.session.scalars(_meetings_statement(client is not None, user.is_staff), params).unique().all()
    rooms = {r.appointment_id: r for r in db.session.scalars(
        _rooms_statement(), {"ids": [a.id for a in appointments]})} if appointments else {}
    late_ok = user.is_staff  # a client is never offered a meeting past its end
    return [Meeting(a, rooms.get(a.id), len(waiting_in(rooms[a.id])) if a.id in rooms else 0,
                    can_open(a, now) and (late_ok or now < a.ends_at))
            for a in appointments if a.id not in rooms or not rooms[a.id].ended]


@cache
def _meetings_statement(as_client: bool, staff: bool) -> Select:
    """meetings_today's statement, built once per process (every video page and the client's home page run it;
    building it cost more than running it): parameters since, until and client_id or user_id."""
    taking_part = (select(Participant.appointment_id).where(Participant.client_id == bindparam("client_id"))
                   if as_client else
                   select(Participant.appointment_id).where(Participant.user_id == bindparam("user_id")))
    query = (select(Appointment).where(Appointment.id.in_(taking_part), Appointment.modality == "video",
                                       Appointment.status.in_(ACTIVE_STATUSES),
                                       Appointment.starts_at < bindparam("until"),
                                       Appointment.ends_at > bindparam("since"))
             .order_by(Appointment.starts_at))
    if staff:  # their video page names each meeting's client: in this statement, not two more per meeting
        query = query.options(joinedload(Appointment.enrolment).joinedload(Enrolment.client))
    return query


def can_open(appointment: Appointment, now: datetime) -> bool:
    return appointment.starts_at - JOIN_EARLY <= now < appointment.ends_at + JOIN_LATE


# A waiting client answering the ORS keeps their place this long without a live connection.
AWAY_KEEPS_PLACE = timedelta(minutes=15)


@cache
def _rooms_statement() -> Select:
    return select(VideoRoom).where(VideoRoom.appointment_id.in_(bindparam("ids", expanding=True)))


def waiting_in(room: VideoRoom, now: datetime | None = None) -> list[VideoParticipant]:
    """Who waits to be let in: connected to the waiting room, or away answering the ORS for a while."""
    away_after = (now or utcnow()) - AWAY_KEEPS_PLACE
    return sorted((p for p in room.participants if p.waiting_since and p.admitted_at is None and
                   (p.live_sid or (p.away_since is not None and p.away_since > away_after))),
                  key=lambda p: p.waiting_since)


def connect_access(participant_id: int):
    """What a signaling connect needs to know about a participant, in one query (it runs for every page
    that opens a call): the room's key and end, the role, the account's state and the invite's."""
    return db.session.execute(
        select(VideoParticipant.id, VideoParticipant.role, VideoParticipant.user_id, VideoRoom.key.label("room_key"),
               VideoRoom.ended_at, User.active.label("user_active"), VideoInvite.revoked_at, VideoInvite.expires_at)
        .join(VideoRoom, VideoRoom.id == VideoParticipant.room_id)
        .outerjoin(User, User.id == VideoParticipant.user_id)
        .outerjoin(VideoInvite, VideoInvite.participant_id == VideoParticipant.id)
        .where(VideoParticipant.id == participant_id).limit(1)).first()


def invite_lapsed(participant_id: int, now: datetime) -> bool:
    """Whether the invite that gave this participant its seat, if one did, was revoked or has expired."""
    row = db.session.execute(select(VideoInvite.revoked_at, VideoInvite.expires_at)
                             .where(VideoInvite.participant_id == participant_id).limit(1)).first()
    return row is not None and (row.revoked_at is not None or now >= row.expires_at)


def holds_live_invite(participant_ids: list[int], now: datetime) -> bool:
    """Whether any of these participants (an invite guest's browser) still has a working invite."""
    if not participant_ids:
        return False
    return db.session.scalar(select(VideoInvite.id).where(
        VideoInvite.participant_id.in_(participant_ids), VideoInvite.revoked_at.is_(None),
        VideoInvite.expires_at > now).limit(1)) is not None


def staff_account(user_id: int):
    """(id, active, kind) of an account, without loading it (the notification connection of every staff page)."""
    return db.session.execute(select(User.id, User.active, User.kind).where(User.id == user_id)).first()


def waiting_for(user_id: int) -> list[tuple[VideoRoom, list[VideoParticipant]]]:
    """Open meetings the staff member hosts or takes part in as staff where someone is waiting now
    (filtered in SQL: rooms a host never ended stay open, and this runs on every staff page's connect)."""
    rooms = db.session.scalars(_waiting_statement(), {"user_id": user_id}).all()
    return [(room, people) for room in rooms if (people := waiting_in(room))]


# The staff's video page runs these on every visit: built once per process with their values as parameters
# (building a statement and its cache key cost more CPU than running it).

@cache
def _waiting_statement() -> Select:
    user_id = bindparam("user_id")
    staff_rooms = select(VideoParticipant.room_id).where(
        VideoParticipant.user_id == user_id, VideoParticipant.role.in_(STAFF_ROLES))
    waiting_rooms = select(VideoParticipant.room_id).where(
        VideoParticipant.waiting_since.is_not(None), VideoParticipant.admitted_at.is_(None),
        VideoParticipant.live_sid.is_not(None) | VideoParticipant.away_since.is_not(None))
    return select(VideoRoom).where(
        VideoRoom.kind == RoomKind.MEETING, VideoRoom.ended_at.is_(None),
        (VideoRoom.host_id == user_id) | VideoRoom.id.in_(staff_rooms), VideoRoom.id.in_(waiting_rooms))


def joinable_now(appointment: Appointment, now: datetime) -> bool:
    """A video appointment whose room can be opened now (the join buttons on calendars and lists): from half
    an hour before it until its end, unless its host has ended the call. Staff open late rooms from the
    video page (``can_open``); nothing offers a client to join a meeting that is over."""
    if not (appointment.modality == "video" and appointment.active and can_open(appointment, now)
            and now < appointment.ends_at):
        return False
    room = room_for_appointment(db.session, appointment.id)
    return room is None or not room.ended


def booked_adhoc(user: User, now: datetime) -> list[VideoRoom]:
    """The user's "meeting now" rooms still open and booked at ``now`` (a tab closed without ending)."""
    return list(db.session.scalars(_booked_adhoc_statement(), {"user_id": user.id, "now": now}))


@cache
def _booked_adhoc_statement() -> Select:
    now = bindparam("now")
    return (select(VideoRoom).join(Appointment, Appointment.id == VideoRoom.appointment_id)
            .where(VideoRoom.host_id == bindparam("user_id"), VideoRoom.adhoc.is_(True), VideoRoom.ended_at.is_(None),
                   Appointment.status.in_(ACTIVE_STATUSES), Appointment.starts_at <= now, Appointment.ends_at > now)
            .order_by(Appointment.starts_at))


def reopenable(user: User, now: datetime, minutes: int) -> list[VideoRoom]:
    """Meetings the user hosted and ended that they may still reopen (``operations.reopen_until``)."""
    params = {"user_id": user.id, "now": now, "ended_after": now - timedelta(minutes=minutes)}
    return list(db.session.scalars(_reopenable_statement(), params))


@cache
def _reopenable_statement() -> Select:
    recent = VideoRoom.ended_at > bindparam("ended_after")
    return (select(VideoRoom).outerjoin(Appointment, Appointment.id == VideoRoom.appointment_id)
            .where(VideoRoom.host_id == bindparam("user_id"), VideoRoom.kind == RoomKind.MEETING,
                   VideoRoom.ended_at.is_not(None), recent | (Appointment.ends_at > bindparam("now")),
                   Appointment.id.is_(None) | Appointment.status.in_(ACTIVE_STATUSES))
            .order_by(VideoRoom.ended_at.desc()).limit(5))


def invites_of(room: VideoRoom) -> list[VideoInvite]:
    return list(db.session.scalars(select(VideoInvite).where(VideoInvite.room_id == room.id)
                                   .order_by(VideoInvite.created_at.desc())))


def record_url(room: VideoRoom) -> str | None:
    """The meeting-record form for the room's appointment (portal/meetings), once that exists."""
    if room.appointment_id is None or "meetings.record" not in current_app.view_functions:
        return None
    group_id = db.session.scalar(select(GroupSession.group_id)
                                 .where(GroupSession.appointment_id == room.appointment_id))
    if group_id is not None:  # a group session: its attendance (recorded from the call, to check and correct)
        return url_for("groups.attendance", group_id=group_id, appointment_id=room.appointment_id)
    return url_for("meetings.record", appointment_id=room.appointment_id)


@dataclass
class MeetingMeasures:
    """FIT around a video meeting, for the client in the room: ORS while waiting, SRS right after."""

    before: list  # measures.queries.DueItem for the ORS still open (empty when answered or not asked)
    srs_url: str | None  # the SRS of this meeting, shown on the page's end stage


def meeting_measures(room: VideoRoom, participant: VideoParticipant, room_url: str) -> MeetingMeasures:
    from portal.measures import queries as measures

    if participant.role != ParticipantRole.CLIENT or room.appointment is None or room.enrolment is None:
        return MeetingMeasures([], None)
    before = [item for item in measures.due_for_meeting(db.session, room.enrolment, room.appointment)
              if item.occurrence.instrument == "ors"]
    after = measures.due_for_meeting(db.session, room.enrolment, room.appointment, now=room.appointment.ends_at)
    srs = next((item for item in after if item.occurrence.instrument == "srs"), None)
    return MeetingMeasures([(item, f"{item.url}?next={room_url}") for item in before],
                           f"{srs.url}?next={room_url}" if srs else None)


def fresh_ors(room: VideoRoom, participant: VideoParticipant) -> str | None:
    """The ORS total the waiting client gave for this meeting, for the host's waiting list."""
    from portal.measures import queries as measures

    if participant.role != ParticipantRole.CLIENT or room.appointment is None or room.enrolment is None:
        return None
    answer = measures.fresh_ors(room.enrolment, room.appointment)
    return f"{answer.total:.1f}" if answer is not None and answer.total is not None else None


def fallback_texts(room: VideoRoom, participant: VideoParticipant) -> dict:
    """What the client is told if video does not work: how the worker will call, and the home-visit option."""
    phone = None
    if participant.user_id is not None:
        client = db.session.scalar(select(Client).where(Client.user_id == participant.user_id))
        phone = client.phone if client is not None else None
    host = room.host.display_name if room.host is not None else _("your worker")
    if phone:
        text = _("%(worker)s will call you at %(phone)s. Keep your phone near you.", worker=host, phone=phone)
    else:
        text = _("%(worker)s will call you at the phone number they have for you. Keep your phone near you.",
                 worker=host)
    return {"phone_text": text,
            "home_visit_text": _("%(worker)s will contact you to agree on a home visit.", worker=host)}


@signals.meeting_over.connect
def call_ends(client_id: int, appointments=(), **_extra) -> dict[int, datetime]:
    """When the video call of each meeting under way ended for this client: the host ended it, or the
    client left and is not back in it (for the SRS, which opens then). One query."""
    rows = db.session.execute(
        select(VideoRoom.appointment_id, VideoRoom.ended_at, VideoParticipant.in_call, VideoParticipant.last_left_at)
        .join(VideoParticipant, VideoParticipant.room_id == VideoRoom.id)
        .join(Enrolment, Enrolment.id == VideoRoom.enrolment_id)
        .where(VideoRoom.appointment_id.in_(list(appointments)), Enrolment.client_id == client_id,
               VideoParticipant.role == ParticipantRole.CLIENT, VideoParticipant.first_joined_at.is_not(None)))
    ends: dict[int, datetime] = {}
    for appointment_id, ended_at, in_call, left_at in rows:
        end = ended_at or (left_at if not in_call else None)
        if end is not None:
            ends[appointment_id] = end
    return ends


@dataclass
class ClientView:
    """What the client's room page says about the meeting: who the worker is, whether they are still in
    another call, calm mode, and whether this person may go straight back in (admitted earlier)."""

    host: User | None
    host_photo: datetime | None
    host_busy: bool
    calm: bool
    rejoin: bool
    own: bool = False  # the signed-in client's own seat: their echo tests are kept for them (practice.py)
    practiced: bool = False  # their latest practice, on any device, went well: the check may be skipped


def client_view(room: VideoRoom, participant: VideoParticipant, viewer: User | None,
                session_id: str | None) -> ClientView:
    from portal.plans.permissions import can_see_photo
    from portal.plans.queries import photo_stamps

    host, photo = room.host, None
    if host is not None and viewer is not None and participant.user_id == viewer.id:
        stamp = photo_stamps([host.id]).get(host.id)
        photo = stamp if stamp is not None and can_see_photo(viewer, host.id) else None
    client = db.session.scalar(select(Client).where(Client.user_id == participant.user_id)) \
        if participant.user_id is not None and participant.role == ParticipantRole.CLIENT else None
    rejoin = (participant.admitted_at is not None and participant.admitted_session == session_id) or (
        participant.is_staff and participant.first_joined_at is not None)
    own = client is not None and viewer is not None and participant.user_id == viewer.id
    return ClientView(host, photo, host_busy(room), bool(client and client.calm_mode), rejoin, own,
                      own and may_skip_check(client, utcnow()))


def host_busy(room: VideoRoom) -> bool:
    """Whether the room's host is in the call of another meeting right now ("finishing another meeting")."""
    if room.host_id is None:
        return False
    elsewhere = select(VideoParticipant.id).join(VideoRoom, VideoRoom.id == VideoParticipant.room_id).where(
        VideoParticipant.user_id == room.host_id, VideoParticipant.in_call.is_(True), VideoRoom.id != room.id,
        VideoRoom.kind == RoomKind.MEETING, VideoRoom.ended_at.is_(None))
    return db.session.scalar(elsewhere.limit(1)) is not None
