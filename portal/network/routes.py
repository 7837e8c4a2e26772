"""The client's network: the team's page on the client, a contact's edit page, and the client's own view.

Each route loads (404), authorizes (403), calls an operation and renders; a refused form is shown again
with status 400 and what was typed.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import bindparam

from portal.audit.operations import record_read
from portal.extensions import db
from portal.i18n import _
from portal.network import bp, forms, operations, permissions, queries
from portal.network.labels import LABELS
from portal.network.models import NetworkContact
from portal.people.models import Client
from portal.web import header
from portal.web.access import CASEWORK_ROLES, client_required, get_permitted, staff_required


def _label(value):
    return LABELS[value] if value in LABELS else value


def _team_view(client_id: int) -> list[NetworkContact] | None:
    """The network for the staff client page (None when the viewer is not in the client's team)."""
    if not permissions.can_manage(current_user, client_id):
        return None
    contacts = queries.contacts_of(client_id)
    if contacts:
        record_read(current_user, "network", "network", client_id, client_id)
    return contacts


def _navigation() -> list[tuple[str, str]]:
    """The client's header link to their network, when they wished to see some of it (a header fact)."""
    if not current_user.is_authenticated or not current_user.is_client:
        return []
    return [("network.mine", _("My network"))] if header.fact("network_shown") else []


bp.record_once(lambda state: state.app.jinja_env.globals.update(
    network_label=_label, network_of=_team_view, network_navigation=_navigation))
header.register("network_shown", lambda: queries.shown_exists(bindparam("user_id")), lambda user: user.is_client)


@bp.route("/work/clients/<int:client_id>/network", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def index(client_id: int):
    client = get_permitted(Client, client_id, lambda user, c: permissions.can_manage(user, c.id))
    form = forms.ContactForm()
    if form.validate_on_submit():
        try:
            operations.add_contact(current_user, client, form.details())
        except operations.NetworkRefused as exc:
            exc.show_on(form, "organisation")
        else:
            flash(_("The contact was added to the client's network."), "success")
            return redirect(url_for("network.index", client_id=client.id))
    record_read(current_user, "network", "network", client.id, client.id)
    return render_template("network/index.html", client=client, contacts=queries.contacts_of(client.id),
                           form=form), 400 if form.errors else 200


@bp.route("/work/network/<int:contact_id>", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def edit(contact_id: int):
    contact = get_permitted(NetworkContact, contact_id, permissions.can_manage_contact)
    form = forms.ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            operations.update_contact(current_user, contact, form.details())
        except operations.NetworkRefused as exc:
            exc.show_on(form, "organisation")
        else:
            flash(_("The contact was saved."), "success")
            return redirect(url_for("network.index", client_id=contact.client_id))
    record_read(current_user, "network", "network_contact", contact.id, contact.client_id)
    client = db.session.get(Client, contact.client_id)
    return render_template("network/edit.html", contact=contact, client=client, form=form), \
        400 if form.errors else 200


@bp.route("/work/network/<int:contact_id>/remove", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def remove(contact_id: int):
    contact = get_permitted(NetworkContact, contact_id, permissions.can_manage_contact)
    if not forms.RemoveForm().validate_on_submit():
        abort(400)
    client_id = contact.client_id
    operations.remove_contact(current_user, contact)
    flash(_("The contact was removed from the client's network."), "success")
    return redirect(url_for("network.index", client_id=client_id))


@bp.route("/me/network")
@client_required
def mine():
    """The professionals the client wished to see, with whether they agreed that we contact each."""
    client, contacts = queries.shown_to_client(current_user)
    if client is not None and contacts:
        record_read(current_user, "network", "network", client.id, client.id)
    return render_template("network/mine.html", contacts=contacts)
