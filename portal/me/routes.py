from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.db import utcnow
from portal.i18n import _
from portal.me import bp, queries
from portal.me.forms import CalmModeForm
from portal.people.forms import ContactDetailsForm
from portal.people.operations import CONTACT_FIELDS, update_client
from portal.people.queries import client_of_user
from portal.tasks import queries as tasks
from portal.video import practice as practices
from portal.web.access import client_required
from portal.web.navigation import safe_next


def _my_client():
    client = client_of_user(current_user)
    if client is None:
        abort(403)
    return client


@bp.route("")
@client_required
def home():
    client, now = _my_client(), utcnow()
    return render_template(
        "me/home.html", client=client, enrolments=queries.enrolments_of(client),
        meeting_now=queries.meeting_now(current_user, now),
        next_appointment=queries.next_appointment(client, now), recent=queries.recent_contacts(client),
        requests=tasks.for_client(client.id, now, days=tasks.HOME_DAYS),
    )


@bp.route("/profile", methods=["GET", "POST"])
@client_required
def profile():
    client = _my_client()
    form = ContactDetailsForm(obj=client)
    if form.validate_on_submit():
        changed = update_client(current_user, client, form.data, CONTACT_FIELDS)
        flash(_("Your details were saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("me.profile"))
    return render_template("me/profile.html", form=form, client=client), 400 if form.errors else 200


@bp.route("/calm", methods=["POST"])
@client_required
def calm_mode():
    """Calm mode on or off (from the profile page, the device check or the practice page)."""
    client, form = _my_client(), CalmModeForm()
    if not form.validate_on_submit():
        abort(400)
    update_client(current_user, client, {"calm_mode": form.calm_mode.data}, ("calm_mode",))
    flash(_("Calm mode is on.") if client.calm_mode else _("Calm mode is off."), "success")
    return redirect(safe_next(form.next.data) or url_for("me.profile"))


@bp.route("/practice")
@client_required
def practice():
    """Try the camera, microphone and connection with the echo bot any time, e.g. the day before."""
    client = _my_client()
    return render_template("me/practice.html", client=client, last=practices.latest(client),
                           may_skip=practices.may_skip_check(client, utcnow()),
                           practice_config={
                               "echoTestUrl": url_for("video.echo_test"), "iceUrl": url_for("video.ice_servers"),
                               "csrfToken": generate_csrf(), "socketPath": "/socket.io", "namespace": "/rtc",
                               "isStaff": False, "calm": client.calm_mode, "practice": True,
                               "practiceUrl": url_for("video.echo_result")})

