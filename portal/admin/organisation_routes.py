"""Administration of the organisation: units, municipalities, housing units and their logins, queue keepers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.admin import bp, queries
from portal.admin.forms import HousingUnitForm, MunicipalityForm, QueueKeepersForm, UnitForm
from portal.auth.models import Role, User
from portal.extensions import db
from portal.i18n import _
from portal.intake.models import HousingServiceType
from portal.people.models import Municipality, OrgUnit
from portal.people.organisation import OrganisationRefused, UnitDetails, save_municipality, save_unit
from portal.queues.labels import LABELS as QUEUE_LABELS
from portal.queues.models import HousingUnit
from portal.queues.operations import HousingUnitDetails, QueueError, save_housing_unit, set_keepers
from portal.web.access import staff_required


def _status(form) -> int:
    return 400 if form.errors else 200


# --- municipalities ----------------------------------------------------------------------------------

@bp.route("/municipalities", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def municipalities():
    form = MunicipalityForm()
    if form.validate_on_submit():
        try:
            save_municipality(current_user, form.code.data, form.name_fi.data, form.name_sv.data)
        except OrganisationRefused as refused:
            refused.show_on(form, "code")
        else:
            flash(_("The municipality was added."), "success")
            return redirect(url_for("admin.municipalities"))
    return render_template("admin/municipalities.html", form=form, rows=queries.municipalities()), _status(form)


@bp.route("/municipalities/<code>", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def municipality(code: str):
    row = db.get_or_404(Municipality, code)
    form = MunicipalityForm(obj=row)
    form.code.data = row.code
    if form.validate_on_submit():
        save_municipality(current_user, None, form.name_fi.data, form.name_sv.data, existing=row)
        flash(_("The municipality was saved."), "success")
        return redirect(url_for("admin.municipalities"))
    return render_template("admin/municipality.html", form=form, row=row), _status(form)


# --- units -------------------------------------------------------------------------------------------

@bp.route("/units")
@staff_required(Role.ADMIN)
def units():
    return render_template("admin/units.html", units=queries.units())


@bp.route("/units/new", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def new_unit():
    return _unit_page(None)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def unit(unit_id: int):
    return _unit_page(db.get_or_404(OrgUnit, unit_id))


def _unit_page(unit: OrgUnit | None):
    form = UnitForm(obj=unit, data={"municipalities": [m.code for m in unit.municipalities]} if unit else None)
    locale = str(get_locale())
    form.municipalities.choices = [(m.code, f"{m.name(locale)} ({m.code})") for m in queries.municipalities()]
    if form.validate_on_submit():
        details = UnitDetails(code=form.code.data, name_fi=form.name_fi.data, name_sv=form.name_sv.data,
                              name_en=form.name_en.data, county=form.county.data,
                              municipality_codes=set(form.municipalities.data or ()), phone=form.phone.data,
                              phone_opens=form.phone_opens.data, phone_closes=form.phone_closes.data,
                              reply_days=form.reply_days.data or 2)
        try:
            saved = save_unit(current_user, details, unit)
        except OrganisationRefused as refused:
            refused.show_on(form, "code")
        else:
            flash(_("The unit was saved."), "success")
            return redirect(url_for("admin.unit", unit_id=saved.id))
    return render_template("admin/unit.html", form=form, unit=unit), _status(form)


# --- housing units -----------------------------------------------------------------------------------

@bp.route("/housing-units")
@staff_required(Role.ADMIN)
def housing_units():
    return render_template("admin/housing_units.html", units=queries.housing_units(), type_label=QUEUE_LABELS)


@bp.route("/housing-units/new", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def new_housing_unit():
    return _housing_unit_page(None)


@bp.route("/housing-units/<int:unit_id>", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def housing_unit(unit_id: int):
    return _housing_unit_page(db.get_or_404(HousingUnit, unit_id))


def _housing_unit_page(unit: HousingUnit | None):
    data = None
    if unit is not None:
        data = {"name": unit.name, "provider": unit.provider, "municipality": unit.municipality_code,
                "service_type": unit.service_type.value, "places": unit.places, "staff": [u.id for u in unit.staff]}
    form = HousingUnitForm(data=data)
    locale = str(get_locale())
    form.municipality.choices = [("", _("Choose"))] + [(m.code, m.name(locale)) for m in queries.municipalities()]
    form.service_type.choices = [("", _("Choose"))] + [(t.value, str(QUEUE_LABELS[t])) for t in HousingServiceType]
    form.staff.choices = [(u.id, f"{u.display_name} ({u.email})") for u in queries.staff_with_role(Role.HOUSING_UNIT)]
    if form.validate_on_submit():
        details = HousingUnitDetails(name=form.name.data, provider=form.provider.data,
                                     municipality_code=form.municipality.data,
                                     service_type=HousingServiceType(form.service_type.data), places=form.places.data,
                                     staff_ids=set(form.staff.data or ()))
        try:
            saved = save_housing_unit(current_user, details, unit)
        except QueueError as refused:  # the queue rules' refusal names no field: it is about the logins
            form.staff.errors = [*form.staff.errors, str(refused)]
        else:
            flash(_("The housing unit was saved."), "success")
            return redirect(url_for("admin.housing_unit", unit_id=saved.id))
    return render_template("admin/housing_unit.html", form=form, unit=unit), _status(form)


# --- queue coordinators ------------------------------------------------------------------------------

@bp.route("/queues", methods=["GET"])
@staff_required(Role.ADMIN)
def queues():
    return render_template("admin/queues.html", forms=_queue_forms())


@bp.route("/queues/<service_type>", methods=["POST"])
@staff_required(Role.ADMIN)
def queue_keepers(service_type: str):
    """Saves one queue's keepers; a refusal is shown on the queues page (the choices are two selects)."""
    if service_type not in HousingServiceType.__members__.values():
        abort(404)
    kind = HousingServiceType(service_type)
    form = _queue_forms()[kind]
    if not form.validate_on_submit():
        flash(_("Choose the coordinator and the deputy from the lists."), "error")
        return redirect(url_for("admin.queues"))
    try:
        set_keepers(current_user, kind, _person(form.coordinator.data), _person(form.deputy.data))
    except QueueError as refused:
        flash(str(refused), "error")
    else:
        flash(_("The queue's coordinator and deputy were saved."), "success")
    return redirect(url_for("admin.queues"))


def _queue_forms() -> dict:
    keepers = queries.queues_by_type()
    people = [("", _("Nobody named"))] + [(str(u.id), u.display_name)
                                         for u in queries.staff_with_role(Role.QUEUE_COORDINATOR)]
    forms = {}
    for kind in HousingServiceType:
        queue = keepers.get(kind)
        form = QueueKeepersForm(prefix=kind.value, data={
            "coordinator": str(queue.coordinator_id or "") if queue else "",
            "deputy": str(queue.deputy_id or "") if queue else ""})
        form.coordinator.choices = form.deputy.choices = people
        form.title = QUEUE_LABELS[kind]
        forms[kind] = form
    return forms


def _person(value: str) -> User | None:
    return db.session.get(User, int(value)) if value and value.isdigit() else None
