from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.audit.operations import record_read
from portal.caseload import bp, queries, registration  # noqa: F401  (registration's routes join bp)
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.people.forms import BackgroundForm
from portal.people.models import Client
from portal.people.operations import BACKGROUND_FIELDS, REGISTRATION_FIELDS, update_client
from portal.people.permissions import can_see_client, can_see_registration
from portal.people.queries import municipalities
from portal.scheduling.timeutil import local_date
from portal.tasks import attention
from portal.tasks import queries as tasks
from portal.web.access import CASEWORK_ROLES, staff_required


def _load_client(client_id: int) -> Client:
    """404 for an unknown client, 403 for one the worker neither works with nor has in their units.

    The pages list only the services the worker may see (queries.enrolments_of_client).
    """
    client = db.get_or_404(Client, client_id)
    if not can_see_registration(current_user, client.id):
        abort(403)
    return client


@bp.route("")
@staff_required(*CASEWORK_ROLES)
def index():
    rows, now = queries.caseload(current_user), utcnow()
    return render_template("caseload/index.html", rows=rows, today=date.today(),
                           attention=attention.for_caseload(current_user, rows, now, local_date(now)))


@bp.route("/clients/<int:client_id>")
@staff_required(*CASEWORK_ROLES)
def client(client_id: int):
    client = _load_client(client_id)
    enrolments = queries.enrolments_of_client(current_user, client.id)
    record_read(current_user, "caseload", "client", client.id, client.id)
    return render_template("caseload/client.html", client=client, enrolments=enrolments,
                           contacts=queries.contacts_of([e.id for e in enrolments]),
                           coming=queries.coming_of(client.id, utcnow()),
                           requests=tasks.of_client([e.id for e in enrolments]))


@bp.route("/clients/<int:client_id>/background", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def background(client_id: int):
    client = _load_client(client_id)
    form = BackgroundForm(obj=client)
    named = can_see_client(current_user, client.id)  # else only a worker of the client's unit: no diagnosis group
    if not named:
        del form.diagnosis_group
    locale = str(get_locale())
    form.municipality_code.choices = [SelectChoice(m.code, m.name(locale)) for m in municipalities()]
    if form.validate_on_submit():
        update_client(current_user, client, form.data, BACKGROUND_FIELDS if named else REGISTRATION_FIELDS)
        flash(_("The client's details were saved."), "success")
        return redirect(url_for("caseload.client", client_id=client.id))
    if not form.is_submitted():
        record_read(current_user, "people", "client", client.id, client.id)
    return render_template("caseload/background.html", form=form, client=client), 400 if form.errors else 200
