"""Every change to a video room: opening it, who is in it, invites, admission, joining, leaving, ending.

Each flushes and leaves the commit to the caller (the request, or the signaling handler). Changes that
touch a client's meeting write an audit record; the per-connection bookkeeping of the signaling server
(live connection, in call) does not — it is not client data, and admission and the meeting's end are.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select, update

from portal import signals
from portal.appointments.operations import request_change
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, _l
from portal.notifications import operations as notifications
from portal.people.models import Client
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling import operations as scheduling
from portal.scheduling.models import Appointment
from portal.scheduling.models import ParticipantRole as AppointmentRole
from portal.scheduling.operations import BookingRequest
from portal.scheduling.rules import BookingError
from portal.video import revocation, tickets
from portal.video.models import WAITING_ROLES, ParticipantRole, RoomKind, VideoInvite, VideoParticipant, VideoRoom

FEATURE = "video"
MAX_PEOPLE = 4  # a browser full mesh: each sends its video to every other
INVITE_HOURS = (2, 24, 72, 168)
BOT_NAME = "Silta echo test"

MESSAGES = {
    "not_video": _l("This appointment is not a video meeting."),
    "inactive": _l("This appointment has been cancelled or has already been recorded."),
    "ended": _l("This video meeting has ended."),
    "invite_invalid": _l("This link is not valid. Ask your worker for a new one."),
    "invite_expired": _l("This link has expired. Ask your worker for a new one."),
    "no_video": _l("This service has no contact type that can be held by video."),
    "invite_revoked": _l("This link has been cancelled. Ask your worker for a new one."),
    "not_host": _l("Only the worker who hosted this meeting can reopen it."),
    "reopen_late": _l("This meeting ended too long ago to reopen it. Start a new meeting instead."),
}
ADMISSION_AFTER_END = timedelta(minutes=30)  # as late as a room can be joined (queries.JOIN_LATE)
REOPEN_MINUTES = 15  # an ended meeting can be reopened this long after its end (or while it is still booked)


class VideoError(Exception):
    """A change the room's rules do not allow; ``str()`` gives the translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return str(MESSAGES[self.code])


def short_name(first: str, last: str) -> str:
    """What the other people in a call see: first name and initial (clients' full names stay private)."""
    return f"{first} {last[:1]}." if last else first


def _room(kind: RoomKind, **fields) -> VideoRoom:
    room = VideoRoom(key=secrets.token_urlsafe(16)[:22], kind=kind, **fields)
    db.session.add(room)
    return room


def open_room_for_appointment(session, appointment: Appointment, actor: User) -> VideoRoom:
    """The appointment's room, opened on first use by anyone taking part (the organiser hosts it)."""
    existing = session.scalar(select(VideoRoom).where(VideoRoom.appointment_id == appointment.id))
    if existing is not None:
        if existing.ended:
            raise VideoError("ended")
        return existing
    if appointment.modality != "video":
        raise VideoError("not_video")
    if not appointment.active:
        raise VideoError("inactive")
    room = _room(RoomKind.MEETING, appointment=appointment, enrolment_id=appointment.enrolment_id,
                 host_id=appointment.organizer_id, title=_title(appointment))
    session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "video_room", room.id, room.client_id,
           {"appointment_id": appointment.id})
    return room


def _title(appointment: Appointment) -> str:
    """The contact type's name in the host's language: what the staff's "someone is waiting" cue names."""
    definition = registry.definition(appointment.programme_code)
    contact_type = definition.contact_type(appointment.contact_type) if definition else None
    return contact_type.name.get(appointment.organizer.locale) if contact_type else appointment.contact_type


def open_adhoc_room(session, enrolment: Enrolment, actor: User) -> VideoRoom:
    """A meeting started now by a worker for one of their clients (no appointment)."""
    room = _room(RoomKind.MEETING, enrolment=enrolment, host_id=actor.id, title="adhoc")
    session.flush()
    add_participant(session, room, role=ParticipantRole.HOST, user=actor)
    client = enrolment.client
    if client.user_id is not None:
        add_participant(session, room, role=ParticipantRole.CLIENT, user=client.user,
                        name=short_name(client.first_name, client.last_name))
    record(actor, AuditAction.CREATE, FEATURE, "video_room", room.id, enrolment.client_id, {"adhoc": True})
    return room


def add_participant(session, room: VideoRoom, *, role: ParticipantRole, user: User | None = None,
                    name: str | None = None) -> VideoParticipant:
    participant = VideoParticipant(room=room, user=user, role=role, display_name=(name or _user_name(user))[:120])
    session.add(participant)
    session.flush()
    return participant


def _user_name(user: User | None) -> str:
    return user.display_name if user is not None else "?"


def appointment_role(appointment: Appointment, user: User) -> ParticipantRole | None:
    """The role ``user`` has in the appointment, or None when they are not taking part."""
    if appointment.organizer_id == user.id:
        return ParticipantRole.HOST
    for person in appointment.participants:
        if person.user_id is not None and person.user_id == user.id:
            return ParticipantRole.WORKER if person.role != AppointmentRole.CLIENT else ParticipantRole.CLIENT
        if person.client_id is not None and person.client is not None and person.client.user_id == user.id:
            return ParticipantRole.CLIENT
    return None


def room_role(room: VideoRoom, user: User) -> ParticipantRole | None:
    if room.appointment is not None:
        return appointment_role(room.appointment, user)
    return ParticipantRole.HOST if room.host_id == user.id else None


def participant_for_user(session, room: VideoRoom, user: User) -> VideoParticipant | None:
    """The user's place in the room — created on their first visit — or None when they do not belong."""
    existing = session.scalar(select(VideoParticipant).where(VideoParticipant.room_id == room.id,
                                                             VideoParticipant.user_id == user.id))
    if existing is not None:
        return existing
    role = room_role(room, user)
    if role is None:
        return None
    name = _user_name(user)
    client = session.scalar(select(Client).where(Client.user_id == user.id)) if role == ParticipantRole.CLIENT else None
    if client is not None:
        name = short_name(client.first_name, client.last_name)
    return add_participant(session, room, role=role, user=user, name=name)


def create_invite(session, room: VideoRoom, actor: User, *, name: str,
                  role: ParticipantRole = ParticipantRole.GUEST, hours: int = 24) -> tuple[VideoInvite, str]:
    """A link for one named person; only its hash is stored, so the token is returned once, here."""
    if room.ended:
        raise VideoError("ended")
    participant = add_participant(session, room, role=role, name=name.strip())
    invite = VideoInvite(room=room, participant=participant, created_by=actor, secret_hash="pending",
                         expires_at=utcnow() + timedelta(hours=hours))
    session.add(invite)
    session.flush()
    secret = tickets.new_invite_secret(invite.id)
    invite.secret_hash = secret.secret_hash
    record(actor, AuditAction.CREATE, FEATURE, "video_invite", invite.id, room.client_id,
           {"room_id": room.id, "role": role.value, "hours": hours})
    session.flush()
    return invite, secret.token


def send_invite(room: VideoRoom, invite: VideoInvite, link: str, actor: User) -> bool:
    """The client's link by text message or email (their preferred channel); False when they have none.

    The message carries the link itself — that is what it is for —, and nothing else about the meeting.
    """
    client = room.enrolment.client if room.enrolment is not None else None
    address = notifications.recipient_for(client) if client is not None else None
    if address is None:
        return False
    channel, recipient = address
    with force_locale(notifications.language_of(client)):
        subject = _("Your video meeting link")
        body = _("Silta: your link to the video meeting: %(link)s", link=link)
    notifications.queue_message(channel=channel, recipient=recipient, subject=str(subject), body=str(body),
                                client_id=client.id, appointment_id=room.appointment_id)
    record(actor, AuditAction.CREATE, FEATURE, "video_invite_message", invite.id, client.id, {"channel": channel.value})
    return True


def revoke_invite(session, invite: VideoInvite, actor: User) -> None:
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        record(actor, AuditAction.UPDATE, FEATURE, "video_invite", invite.id, invite.room.client_id,
               {"revoked": True})
        session.flush()
    revocation.revoke_participant(invite.participant_id)  # its live connection closes when this commits


def redeem_invite(session, token: str, now: datetime | None = None) -> VideoParticipant:
    """The participant an invite link admits (to the waiting room), or VideoError saying why not."""
    now = now or utcnow()
    parsed = tickets.read_invite_token(token)
    invite = session.get(VideoInvite, parsed[0]) if parsed else None
    if invite is None or not secrets.compare_digest(invite.secret_hash, parsed[1]):
        raise VideoError("invite_invalid")
    if invite.revoked_at is not None:
        raise VideoError("invite_revoked")
    if invite.room.ended:
        raise VideoError("ended")
    if now >= invite.expires_at:
        raise VideoError("invite_expired")
    if invite.used_at is None:
        invite.used_at = now
        record(None, AuditAction.READ, FEATURE, "video_invite", invite.id, invite.room.client_id, {"used": True})
        session.flush()
    return invite.participant


def open_echo_room(session, *, user: User | None = None, name: str) -> tuple[VideoRoom, VideoParticipant]:
    """A pre-call network test: the tester and a seat for the echo bot."""
    room = _room(RoomKind.ECHO, host_id=user.id if user is not None and user.is_staff else None, title="echo")
    session.flush()
    tester = add_participant(session, room, role=ParticipantRole.GUEST, user=user, name=name)
    add_participant(session, room, role=ParticipantRole.BOT, name=BOT_NAME)
    return room, tester


def bot_seat(room: VideoRoom) -> VideoParticipant | None:
    return next((p for p in room.participants if p.role == ParticipantRole.BOT), None)


def start_adhoc(session, actor: User, enrolment: Enrolment, now: datetime) -> VideoRoom:
    """"Meeting now": booked from this minute (BookingError, VideoError when refused) and opened at once."""
    appointment = book_now(actor, enrolment, now)
    room = open_room_for_appointment(session, appointment, actor)
    room.adhoc = True
    session.flush()
    return room


def reopen_until(room: VideoRoom) -> datetime | None:
    """Until when the host may reopen an ended meeting: while it is booked, or a while after its end."""
    if room.ended_at is None:
        return None
    until = room.ended_at + timedelta(minutes=REOPEN_MINUTES)
    return max(until, room.appointment.ends_at) if room.appointment is not None else until


def reopen_room(session, room: VideoRoom, actor: User, now: datetime) -> None:
    """The host opens the meeting they ended again; an ad-hoc meeting is booked on from now.

    Refused (VideoError) for anyone but the host, after the reopening time, and for an appointment
    cancelled or recorded meanwhile; a booking the calendar no longer has room for raises BookingError.
    Nothing changes when refused.
    """
    if room.host_id != actor.id:
        raise VideoError("not_host")
    if room.ended_at is None:
        return
    if now >= reopen_until(room):
        raise VideoError("reopen_late")
    appointment = room.appointment
    if appointment is not None and not appointment.active:
        raise VideoError("inactive")
    if room.adhoc and appointment is not None:
        booked_on = now.replace(microsecond=0) + timedelta(minutes=appointment_minutes(appointment))
        scheduling.set_end(actor, appointment, max(appointment.ends_at, booked_on))
    room.ended_at = None
    record(actor, AuditAction.UPDATE, FEATURE, "video_room", room.id, room.client_id, {"reopened": True})
    session.flush()


def appointment_minutes(appointment: Appointment) -> int:
    """The contact type's usual length (what "meeting now" books)."""
    definition = registry.definition(appointment.programme_code)
    contact_type = definition.contact_type(appointment.contact_type) if definition else None
    return contact_type.default_minutes if contact_type is not None else 60


def book_now(actor: User, enrolment: Enrolment, now: datetime) -> Appointment:
    """An ad hoc video meeting as an appointment starting now (BookingError when the rules refuse)."""
    definition = registry.definition(enrolment.programme_code)
    contact_type = next((c for c in definition.contact_types if Modality.VIDEO in c.modalities and not c.group), None)
    if contact_type is None:
        raise VideoError("no_video")
    starts_at = now.replace(microsecond=0)  # to the second: a meeting just ended leaves the minute free
    request = BookingRequest(enrolment=enrolment, contact_type=contact_type.code, modality=Modality.VIDEO,
                             starts_at=starts_at, minutes=contact_type.default_minutes, urgent=True)
    # Starting this minute is not "in the past" for a meeting that begins as it is booked.
    appointment, _warnings = scheduling.book(actor, request, now=starts_at - timedelta(seconds=1))
    return appointment


def ask_fallback(room: VideoRoom, participant: VideoParticipant, choice: str, actor: User | None) -> None:
    """The client asks for a phone call or a home visit instead; a home visit becomes a change request
    on an upcoming appointment, so the worker's usual task list has it too."""
    appointment, client = room.appointment, None
    if choice == "home_visit" and appointment is not None and actor is not None and actor.is_client:
        client = db.session.scalar(select(Client).where(Client.user_id == actor.id))
    if client is not None and appointment.starts_at > utcnow() and appointment.active:
        try:
            request_change(actor, client, appointment, None, Modality.HOME_VISIT,
                           message=str(_l("Asked for a home visit instead of the video meeting.")))
        except BookingError:
            pass  # not offered for this appointment: the worker still hears it live below
    record(actor, AuditAction.UPDATE, FEATURE, "video_participant", participant.id, room.client_id,
           {"asked_for": choice})
    db.session.flush()
    if actor is not None and actor.is_client:  # "call me instead" becomes a task too (portal/tasks)
        signals.fallback_asked.send(actor, appointment=appointment, choice=choice)


# --- the signaling server's bookkeeping ---------------------------------------------------------------


def people_in_call(session, room_id: int) -> int:
    """People (not bots) in the call now."""
    return session.scalar(select(func.count()).select_from(VideoParticipant).where(
        VideoParticipant.room_id == room_id, VideoParticipant.in_call.is_(True),
        VideoParticipant.role != ParticipantRole.BOT)) or 0


def lock_room(session, room: VideoRoom) -> None:
    """Hold the room's row until the transaction ends: joins of one room are serialised (PostgreSQL
    takes a row lock; SQLite's single writer waits on its busy timeout)."""
    session.execute(update(VideoRoom).where(VideoRoom.id == room.id).values(key=VideoRoom.key))


def others_in_call(session, participant: VideoParticipant) -> list[VideoParticipant]:
    """Everyone else in the call now, read fresh inside the join's lock."""
    return list(session.scalars(
        select(VideoParticipant).where(VideoParticipant.room_id == participant.room_id,
                                       VideoParticipant.id != participant.id, VideoParticipant.in_call.is_(True),
                                       VideoParticipant.live_sid.is_not(None))
        .order_by(VideoParticipant.id).execution_options(populate_existing=True)))


def claim_bot_seat(session, participant: VideoParticipant) -> bool:
    """Atomically claim an echo room's bot seat: the first bot wins, however many were asked."""
    result = session.execute(update(VideoParticipant)
                             .where(VideoParticipant.id == participant.id, VideoParticipant.first_joined_at.is_(None))
                             .values(first_joined_at=utcnow()))
    return result.rowcount == 1


def admission_lapsed(participant: VideoParticipant, session_id: str | None, now: datetime) -> bool:
    """An admission holds for the signed-in session it was given in, for the meeting's time (until half an
    hour after its end): rejoining then needs no new admission; another session or a later day does."""
    if participant.admitted_at is None or participant.role not in WAITING_ROLES:
        return False
    appointment = participant.room.appointment
    over = appointment is not None and now >= appointment.ends_at + ADMISSION_AFTER_END
    return over or participant.admitted_session != session_id


def wait(session, participant: VideoParticipant, sid: str, session_id: str | None = None) -> None:
    """Into the waiting room (from the signed-in session ``session_id``); an earlier admission that no
    longer holds (``admission_lapsed``) is forgotten."""
    participant.admitted_at = None
    participant.admitted_session = session_id
    participant.live_sid = sid
    participant.in_call = False
    participant.away_since = None
    if participant.waiting_since is None:
        participant.waiting_since = utcnow()
    session.flush()


def step_away(session, participant: VideoParticipant) -> bool:
    """The waiting client goes to answer the ORS and comes back: they keep their place in the worker's
    waiting list meanwhile (``queries.waiting_in``). False when they are not waiting."""
    if participant.waiting_since is None or participant.admitted_at is not None:
        return False
    participant.away_since = utcnow()
    session.flush()
    return True


def admit(session, participant: VideoParticipant, actor: User) -> None:
    if participant.admitted_at is None:
        participant.admitted_at = utcnow()
        participant.waiting_since = None
        record(actor, AuditAction.UPDATE, FEATURE, "video_participant", participant.id, participant.room.client_id,
               {"admitted": True, "role": participant.role.value})
        session.flush()


def enter_call(session, participant: VideoParticipant, sid: str) -> None:
    now = utcnow()
    participant.live_sid = sid
    participant.in_call = True
    participant.waiting_since = None
    participant.first_joined_at = participant.first_joined_at or now
    session.flush()
    room = participant.room
    if room.started_at is None and room.kind == RoomKind.MEETING and people_in_call(session, room.id) >= 2:
        room.started_at = now
        session.flush()


def leave(session, participant: VideoParticipant, sid: str) -> bool:
    """The connection ``sid`` is gone; False when the participant has already reconnected elsewhere."""
    if participant.live_sid != sid:
        return False
    was_in_call = participant.in_call
    participant.live_sid = None
    participant.in_call = False
    if was_in_call:
        participant.last_left_at = utcnow()
    session.flush()
    return was_in_call


def end_room(session, room: VideoRoom, actor: User | None) -> None:
    if room.ended_at is not None:
        return
    now = utcnow()
    room.ended_at = max(now, room.started_at) if room.started_at else now
    for participant in room.participants:
        if participant.in_call:
            participant.last_left_at = now
        participant.in_call = False
        participant.live_sid = None
    if room.kind == RoomKind.MEETING:
        record(actor, AuditAction.UPDATE, FEATURE, "video_room", room.id, room.client_id,
               {"ended": True, "started": room.started_at is not None})
    appointment = room.appointment
    if room.adhoc and appointment is not None and appointment.active and appointment.ends_at > now:
        # A call, not a booking: the calendar keeps the time it took and frees the rest.
        scheduling.set_end(actor, appointment, now.replace(microsecond=0))
    session.flush()
    revocation.revoke_room(room.key)  # every process: 'ended' to its connections, no more signals
