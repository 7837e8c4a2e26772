"""The worker registers a client, finds one, and hands over the client's activation code."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.audit.operations import record_read
from portal.caseload import bp
from portal.caseload.operations import activation_link, hand_over_activation
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _
from portal.notifications.operations import language_of
from portal.people.forms import ActivationChannelForm, IdentityCodeForm, RegistrationForm
from portal.people.models import Client, ClientLanguage, ContactChannel, OrgUnit
from portal.people.operations import Registration, register_or_match, set_identity_code
from portal.people.permissions import can_see_registration
from portal.people.queries import municipalities, possible_duplicates, registered_clients, units_of_worker
from portal.web.access import CASEWORK_ROLES, staff_required


@bp.route("/clients")
@staff_required(*CASEWORK_ROLES)
def clients():
    search = (request.args.get("q") or "").strip()[:100]
    return render_template("caseload/clients.html", clients=registered_clients(current_user, search), search=search)


@bp.route("/clients/new", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def register():
    form = _registration_form()
    if not form.unit_id.choices:
        return render_template("errors/error.html", code=403, title=_("You are not a worker of any unit"),
                               hint=_("Ask the administrator to add you to your unit first.")), 403
    if not form.municipality_code.choices:  # a new organisation: the administrator adds them first
        return render_template("errors/error.html", code=409, title=_("No municipalities yet"),
                               hint=_("Ask the administrator to add the municipalities your units serve.")), 409
    candidates: list[Client] = []
    if form.validate_on_submit():
        data = _registration(form)
        candidates = possible_duplicates(data.first_name, data.last_name, data.birth_year, data.identity_hash)
        try:
            client = register_or_match(current_user, db.session.get(OrgUnit, form.unit_id.data), data, candidates,
                                       form.same_person.data or "", form.duplicate_reason.data)
        except Refusal as refusal:
            refusal.show_on(form, "same_person")
            candidates, client = possible_duplicates(data.first_name, data.last_name, data.birth_year,
                                                     data.identity_hash), None
        if client is not None:
            flash(_("%(name)s is registered in your unit.", name=client.full_name), "success")
            return redirect(url_for("caseload.client", client_id=client.id))
        for match in candidates:  # shown to tell people apart: a read of their data, in their access log
            record_read(current_user, "people", "duplicate_check", match.id, match.id)
    status = 400 if form.errors else 200
    return render_template("caseload/register.html", form=form, candidates=candidates), status


def _registration_form() -> RegistrationForm:
    form = RegistrationForm()
    locale = str(get_locale())
    form.unit_id.choices = [SelectChoice(u.id, u.name(locale)) for u in units_of_worker(current_user)]
    form.municipality_code.choices = [SelectChoice(m.code, m.name(locale)) for m in municipalities()]
    return form


def _registration(form: RegistrationForm) -> Registration:
    born, year = form.born()
    return Registration(first_name=form.first_name.data, last_name=form.last_name.data, birth_year=year,
                        birth_date=born, gender=form.chosen_gender(), municipality_code=form.municipality_code.data,
                        language=ClientLanguage(form.language.data), code=form.parsed_code, phone=form.phone.data,
                        email=form.email.data, address=form.address.data,
                        preferred_channel=ContactChannel(form.preferred_channel.data))


@bp.route("/clients/<int:client_id>/identity-code", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def identity_code(client_id: int):
    client = db.get_or_404(Client, client_id)
    if not can_see_registration(current_user, client.id):
        abort(403)
    form = IdentityCodeForm()
    if form.validate_on_submit():
        try:
            set_identity_code(current_user, client, form.parsed_code)
        except Refusal as refusal:
            form.identity_code.errors = [str(refusal)]
        else:
            flash(_("The identity code was saved. Only a form that cannot be read back is kept."), "success")
            return redirect(url_for("caseload.client", client_id=client.id))
    return render_template("caseload/identity_code.html", form=form, client=client), 400 if form.errors else 200


@bp.route("/clients/<int:client_id>/activation", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def activation(client_id: int):
    client = db.get_or_404(Client, client_id)
    if not can_see_registration(current_user, client.id):
        abort(403)
    form = ActivationChannelForm()
    if form.validate_on_submit():
        try:
            code = hand_over_activation(current_user, client, form.channel.data)
        except Refusal as refusal:
            form.channel.errors = [str(refusal)]
        else:
            if form.channel.data == "letter":  # in the client's language: the paper is theirs
                with force_locale(language_of(client)):
                    return render_template("caseload/activation_letter.html", client=client, code=code,
                                           link=activation_link())
            flash(_("The activation code is on its way to the client."), "success")
            return redirect(url_for("caseload.client", client_id=client.id))
    return render_template("caseload/activation.html", form=form, client=client), 400 if form.errors else 200
