"""Video meetings: the list of today's meetings, the room page, invite links, the echo test, ICE servers.

Who may enter a room: the appointment's own workers and client (``operations.appointment_role``), and
people holding an invite link (bound to one participant; it admits to the waiting room only). Someone
else gets a 404, as for any object they may not know exists.
"""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.audit.operations import record_read
from portal.auth import session as sessions
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.people.permissions import active_with_clients, can_see_client
from portal.people.queries import client_of_user
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment
from portal.scheduling.rules import BookingError
from portal.video import bp, operations, practice, queries, sfu, signaling, tickets, turn
from portal.video.forms import AdhocForm, InviteForm
from portal.video.models import ParticipantRole, RoomKind, VideoInvite, VideoParticipant, VideoRoom
from portal.video.operations import VideoError
from portal.web.access import CASEWORK_ROLES, client_required, staff_required

GUEST_KEY = "video_participants"  # the participants this browser holds invite links for
GUEST_KEEP = 5


@bp.app_context_processor
def video_helpers() -> dict:
    return {"video_join_open": lambda appointment: queries.joinable_now(appointment, utcnow())}


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.is_staff:
        return _staff_index(AdhocForm())
    return render_template("video/index.html", meetings=queries.meetings_today(current_user, utcnow()),
                           waiting=[], form=None)


def _staff_index(form: AdhocForm, status: int = 200, error: str | None = None):
    """The staff's video page; a refused "meeting now" comes back here with its reason and the client kept."""
    now = utcnow()
    form.set_choices(active_with_clients(current_user))
    return render_template("video/index.html", meetings=queries.meetings_today(current_user, now),
                           waiting=queries.waiting_for(current_user.id), form=form, error=error,
                           booked=queries.booked_adhoc(current_user, now),
                           reopenable=queries.reopenable(current_user, now, operations.REOPEN_MINUTES)), status


@bp.route("/appointments/<int:appointment_id>", methods=["POST"])
def open_appointment(appointment_id: int):
    """Open (or reopen) an appointment's room and go in."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    appointment = db.get_or_404(Appointment, appointment_id)
    if operations.appointment_role(appointment, current_user) is None:
        abort(404)
    try:
        room = operations.open_room_for_appointment(db.session, appointment, current_user)
    except VideoError as exc:
        flash(str(exc), "error")
        return redirect(url_for("video.index"))
    operations.participant_for_user(db.session, room, current_user)
    return redirect(url_for("video.room", key=room.key))


@bp.route("/start", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def start_adhoc():
    """A video meeting now with one of the worker's clients: booked as an appointment, so it is in the
    calendar, checked against double booking and recorded like any other contact."""
    form = AdhocForm()
    form.set_choices(active_with_clients(current_user))
    if not form.validate_on_submit():
        return _staff_index(form, 400, _("Choose the client to meet."))
    enrolment = db.get_or_404(Enrolment, form.enrolment_id.data)
    if not can_see_client(current_user, enrolment.client_id):
        abort(404)
    if queries.booked_adhoc(current_user, utcnow()):  # the page offers to continue it
        return _staff_index(form, 409, _("Your previous meeting is still open and booked. Continue it, or "
                                         "end it before starting a new one."))
    try:
        room = operations.start_adhoc(db.session, current_user, enrolment, utcnow())
    except (BookingError, VideoError) as exc:
        db.session.rollback()
        return _staff_index(form, 409, str(exc))
    operations.participant_for_user(db.session, room, current_user)
    return redirect(url_for("video.room", key=room.key))


@bp.route("/r/<key>/reopen", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def reopen(key: str):
    """The host reopens a meeting they ended (the client can join again)."""
    room = _meeting_room(key)
    if operations.room_role(room, current_user) is None and \
            not (room.client_id is not None and can_see_client(current_user, room.client_id)):
        abort(404)  # as for any room they may not know exists; a colleague of the client's gets 403 below
    try:
        operations.reopen_room(db.session, room, current_user, utcnow())
    except (BookingError, VideoError) as exc:
        db.session.rollback()
        status = 403 if isinstance(exc, VideoError) and exc.code == "not_host" else 409
        return _staff_index(AdhocForm(formdata=None), status, str(exc))
    operations.participant_for_user(db.session, room, current_user)
    return redirect(url_for("video.room", key=room.key))


def _meeting_room(key: str) -> VideoRoom:
    return db.first_or_404(db.select(VideoRoom).filter_by(key=key, kind=RoomKind.MEETING))


def _staff_seat(room: VideoRoom) -> VideoParticipant:
    """The signed-in staff member's place in the room, or 404 when they hold none as staff."""
    participant = operations.participant_for_user(db.session, room, current_user)
    if participant is None or not participant.is_staff:
        abort(404)
    return participant


def _participant(room: VideoRoom) -> VideoParticipant | None:
    """This browser's place in the room: its account's, or one an invite link gave it while that link
    still works (a revoked or expired invite takes back the room page, the fallback and the keepalive)."""
    held = session.get(GUEST_KEY, [])
    guest = next((p for p in room.participants if p.id in held and p.user_id is None), None)
    if guest is not None and not queries.invite_lapsed(guest.id, utcnow()):
        return guest
    if current_user.is_authenticated:
        return operations.participant_for_user(db.session, room, current_user)
    return None


@bp.route("/r/<key>")
def room(key: str):
    room = _meeting_room(key)
    participant = _participant(room)
    if participant is None:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        abort(404)
    if room.client_id is not None and current_user.is_authenticated and current_user.is_staff:
        record_read(current_user, operations.FEATURE, "video_room", room.id, room.client_id)
    is_host = participant.role == ParticipantRole.HOST
    record_url = queries.record_url(room) if is_host else None
    if room.ended:
        if record_url:
            return redirect(record_url)
        return render_template("video/ended.html", room=room), 410
    view = queries.client_view(room, participant, current_user if current_user.is_authenticated else None,
                               sessions.current_id())
    return render_template(
        "video/room.html", room=room, participant=participant, is_staff=participant.is_staff, is_host=is_host,
        call_config={**_call_config(room, participant, record_url), "calm": view.calm, "rejoin": view.rejoin,
                     "practiced": view.practiced, "practiceUrl": url_for("video.echo_result") if view.own else None,
                     "hostName": view.host.display_name if view.host else None,
                     "awayUrl": url_for("video.step_away", key=room.key)},
        waiting=[(p, queries.fresh_ors(room, p)) for p in queries.waiting_in(room)], view=view,
        measures=queries.meeting_measures(room, participant, url_for("video.room", key=room.key)),
        fallback=queries.fallback_texts(room, participant),
        invites_url=url_for("video.invites", key=room.key) if participant.is_staff else None,
        record_url=record_url,
    )


def _call_config(room: VideoRoom, participant: VideoParticipant, record_url: str | None) -> dict:
    return {
        "room": room.key, "kind": room.kind.value, "pid": participant.id, "role": participant.role.value,
        "name": participant.display_name, "ticket": tickets.participant_ticket(participant, sessions.current_id()),
        "socketPath": "/socket.io", "namespace": "/rtc", "iceUrl": url_for("video.ice_servers"),
        "echoTestUrl": url_for("video.echo_test"), "fallbackUrl": url_for("video.fallback", key=room.key),
        "csrfToken": generate_csrf(), "isStaff": participant.is_staff,
        "isHost": participant.role == ParticipantRole.HOST, "maxPeople": operations.MAX_PEOPLE,
        "media": sfu.page_media(db.session, room).value,  # "sfu": the call goes through Janus (group.js)
        "leaveUrl": url_for("video.index") if current_user.is_authenticated else url_for("video.left"),
        "recordUrl": record_url,
        "keepaliveUrl": url_for("video.keepalive", key=room.key),
        # Well inside the idle timeout, so a call longer than it never ends on the login page.
        "keepaliveSeconds": max(10, min(300, current_app.config["IDLE_TIMEOUT_MINUTES"] * 60 // 3)),
    }


@bp.route("/r/<key>/keepalive", methods=["POST"])
def keepalive(key: str):
    """The call page, while its signaling connection is up, says the person is still there: a live call
    counts as activity for the idle timeout (the request itself renews the session). Reads nothing."""
    room = _meeting_room(key)
    if _participant(room) is None:
        abort(404)
    return "", 204


@bp.route("/r/<key>/away", methods=["POST"])
def step_away(key: str):
    """The waiting client goes to answer the ORS: they keep their place in the worker's waiting list."""
    room = _meeting_room(key)
    participant = _participant(room)
    if participant is None:
        abort(404)
    if operations.step_away(db.session, participant):
        db.session.commit()
    return "", 204


@bp.route("/left")
def left():
    """Where someone who came by an invite link lands after leaving the call."""
    return render_template("video/left.html")


@bp.route("/r/<key>/invites", methods=["GET", "POST"])
@staff_required()
def invites(key: str):
    room = _meeting_room(key)
    _staff_seat(room)
    form, link = InviteForm(), None
    if form.validate_on_submit():
        try:
            invite, token = operations.create_invite(db.session, room, current_user, name=form.name.data,
                                                     role=ParticipantRole(form.role.data), hours=form.hours.data)
        except VideoError as exc:
            flash(str(exc), "error")
        else:
            link = url_for("video.invite", token=token, _external=True)
            if form.send_to_client.data and invite.participant.role == ParticipantRole.CLIENT:
                if operations.send_invite(room, invite, link, current_user):
                    flash(_("The link was sent to the client."), "success")
                else:
                    flash(_("The client has no phone number or email for messages: give them the link yourself."),
                          "error")
            form = InviteForm(formdata=None)
    return render_template("video/invites.html", room=room, form=form, link=link,
                           invites=queries.invites_of(room), now=utcnow())


@bp.route("/r/<key>/invites/<int:invite_id>/revoke", methods=["POST"])
@staff_required()
def revoke_invite(key: str, invite_id: int):
    room = _meeting_room(key)
    _staff_seat(room)
    invite = db.session.get(VideoInvite, invite_id)
    if invite is None or invite.room_id != room.id:
        abort(404)
    operations.revoke_invite(db.session, invite, current_user)  # closes the guest's connection on commit
    flash(_("The link was cancelled. It no longer lets anyone in."), "success")
    return redirect(url_for("video.invites", key=room.key))


@bp.route("/i/<token>")
def invite(token: str):
    """An invite link: binds this browser to the invited participant and opens the room's page."""
    try:
        participant = operations.redeem_invite(db.session, token)
    except VideoError as exc:
        # A link that never was → 404; one that was but no longer works → 410 Gone.
        status = 404 if exc.code == "invite_invalid" else 410
        return render_template("video/invite_invalid.html", message=str(exc)), status
    held = [pid for pid in session.get(GUEST_KEY, []) if pid != participant.id]
    session[GUEST_KEY] = [*held[-(GUEST_KEEP - 1):], participant.id]
    return redirect(url_for("video.room", key=participant.room.key))


@bp.route("/echo-test", methods=["POST"])
def echo_test():
    """A pre-call network test room with the echo bot, for a signed-in user or an invite guest."""
    if current_user.is_authenticated:
        user, name = current_user, current_user.display_name
    elif queries.holds_live_invite(session.get(GUEST_KEY, []), utcnow()):
        user, name = None, _("Guest")
    else:
        abort(401)
    room, tester = operations.open_echo_room(db.session, user=user, name=name)
    return jsonify(room=room.key, ticket=tickets.participant_ticket(tester, sessions.current_id()),
                   iceUrl=url_for("video.ice_servers"), limitSeconds=current_app.config["RTC_ECHO_LIMIT_SECONDS"])


@bp.route("/echo-test/result", methods=["POST"])
@client_required
def echo_result():
    """A signed-in client's echo-test verdict, kept for them (practice.py): a good one on any device lets the
    check before a meeting be skipped. Nobody else's result is kept (staff never skip, guests keep theirs
    in their browser)."""
    client = client_of_user(current_user)
    if client is None:
        abort(403)
    body = request.get_json(silent=True) or {}
    try:
        practice.record_practice(current_user, client, str(body.get("verdict", "")), str(body.get("room", "")),
                                 utcnow())
    except practice.PracticeRefused:
        return jsonify(error="refused"), 400
    db.session.commit()
    return "", 204


@bp.route("/ice-servers")
def ice_servers():
    """STUN/TURN for a participant holding a ticket (``Authorization: Bearer <ticket>``)."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    parsed = tickets.read_participant_ticket(token) if scheme.lower() == "bearer" else None
    participant = db.session.get(VideoParticipant, parsed.participant_id) if parsed else None
    if participant is None or participant.room.key != parsed.room_key or participant.room.ended or \
            queries.invite_lapsed(participant.id, utcnow()) or \
            (parsed.session_id is not None and not sessions.alive(parsed.session_id)):
        return jsonify(error="unauthorized"), 401
    response = jsonify(turn.ice_servers(current_app.config, str(participant.id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<key>/fallback", methods=["POST"])
def fallback(key: str):
    """The client would rather have a phone call or a home visit: the worker hears it at once."""
    room = _meeting_room(key)
    participant = _participant(room)
    choice = (request.get_json(silent=True) or request.form).get("choice")
    if participant is None:
        abort(404)
    if choice not in ("phone", "home_visit"):
        return jsonify(error=_("Choose a phone call or a home visit.")), 400
    operations.ask_fallback(room, participant, choice, current_user if current_user.is_authenticated else None)
    signaling.tell_staff(room, "fallback", {"name": participant.display_name, "choice": choice})
    texts = queries.fallback_texts(room, participant)
    return jsonify(text=texts["phone_text" if choice == "phone" else "home_visit_text"])
