from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.i18n import _
from portal.me import bp, queries
from portal.people.forms import ContactDetailsForm
from portal.people.operations import CONTACT_FIELDS, update_client
from portal.people.queries import client_of_user
from portal.web.access import client_required


def _my_client():
    client = client_of_user(current_user)
    if client is None:
        abort(403)
    return client


@bp.route("")
@client_required
def home():
    client = _my_client()
    return render_template(
        "me/home.html", client=client, enrolments=queries.enrolments_of(client),
        next_appointment=queries.next_appointment(client), recent=queries.recent_contacts(client),
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

