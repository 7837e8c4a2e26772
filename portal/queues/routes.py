"""The queues pages: the queues (coordinators), vacancies and offers, housing units (their own staff),
and a client's queue status (their case workers). Pages that show a client write a read record."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.audit.operations import record_read
from portal.auth.models import Role
from portal.extensions import db
from portal.i18n import _
from portal.intake.models import HousingServiceType
from portal.programmes.models import Enrolment
from portal.queues import bp, forms, operations, permissions, queries
from portal.queues.labels import queue_label
from portal.queues.models import (
    HousingQueue,
    HousingUnit,
    Offer,
    OfferStatus,
    QueueEntry,
    QueuePriority,
    Residency,
    Vacancy,
)
from portal.web.access import CASEWORK_ROLES, get_permitted, staff_required
from portal.web.templating import local_date

# A granted decision (intake) puts the client into a queue: connected here, once, with the blueprint.
operations.init_receivers()
COORDINATOR = Role.QUEUE_COORDINATOR
UNIT_STAFF = (Role.QUEUE_COORDINATOR, Role.HOUSING_UNIT)


def _navigation() -> list[tuple[str, str]]:
    if not current_user.is_authenticated or not current_user.is_staff:
        return []
    links = [("queues.index", _("Housing queues"))] if current_user.has_role(COORDINATOR) else []
    if current_user.has_role(*UNIT_STAFF):
        links.append(("queues.units", _("Housing units")))
    return links


bp.record_once(lambda state: state.app.jinja_env.globals.update(queues_navigation=_navigation,
                                                                 queue_label=queue_label))


@bp.route("/")
@staff_required(COORDINATOR)
def index():
    vacancies = queries.open_vacancies()
    return render_template("queues/index.html", summaries=queries.queue_summaries(),
                           waits=queries.waits_by_municipality(), vacancies=vacancies,
                           offered=queries.offered_vacancies([v.id for v in vacancies]),
                           service_types=list(HousingServiceType))


@bp.route("/queue/<service_type>")
@staff_required(COORDINATOR)
def show(service_type: str):
    if service_type not in HousingServiceType.__members__.values():
        abort(404)
    queue = _queue(HousingServiceType(service_type))
    rows = queries.queue_rows(queue)
    for row in rows:
        record_read(current_user, operations.FEATURE, "queue_entry", row.entry.id, row.client.id)
    return render_template("queues/show.html", queue=queue, rows=rows, waits=queries.waits_by_municipality(queue),
                           keeps=permissions.keeps(current_user, queue), priority_form=forms.PriorityForm())


@bp.route("/entries/<int:entry_id>/priority", methods=["POST"])
@staff_required(COORDINATOR)
def priority(entry_id: int):
    entry = get_permitted(QueueEntry, entry_id, lambda user, row: permissions.keeps(user, row.queue))
    form = forms.PriorityForm()
    if not form.validate():
        abort(400)
    try:
        operations.set_priority(current_user, entry, QueuePriority(form.priority.data))
        flash(_("The priority was changed."), "success")
    except operations.QueueError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".show", service_type=entry.queue.service_type.value))


@bp.route("/vacancies/<int:vacancy_id>")
@staff_required(*UNIT_STAFF)
def vacancy(vacancy_id: int):
    return _vacancy_page(_load_vacancy(vacancy_id))


@bp.route("/vacancies/<int:vacancy_id>/offer", methods=["POST"])
@staff_required(COORDINATOR)
def offer(vacancy_id: int):
    row = _load_vacancy(vacancy_id)
    form = _offer_form(row)
    if not form.validate():
        return _vacancy_page(row, form, status=400)
    entry = db.session.get(QueueEntry, form.entry.data)
    try:
        if entry is None:
            raise operations.QueueError(_("This client is not in the queue for this vacancy."))
        operations.offer_vacancy(current_user, row, entry, form.answer_by.data, form.skip_reason.data)
    except operations.QueueError as exc:
        form.form_errors.append(str(exc))
        return _vacancy_page(row, form, status=400)
    except PermissionError:
        abort(403)
    flash(_("The place was offered. The client was sent a notice to sign in to Silta."), "success")
    return redirect(url_for(".vacancy", vacancy_id=row.id))


@bp.route("/offers/<int:offer_id>/answer", methods=["POST"])
@staff_required(COORDINATOR)
def answer(offer_id: int):
    row = get_permitted(Offer, offer_id, lambda user, o: permissions.keeps(user, o.entry.queue))
    form = forms.AnswerForm()
    if not form.validate():
        return _vacancy_page(row.vacancy, answer_form=form, status=400)
    try:
        operations.record_answer(current_user, row, OfferStatus(form.answer.data), form.starts_on.data)
    except operations.QueueError as exc:
        form.form_errors.append(str(exc))
        return _vacancy_page(row.vacancy, answer_form=form, status=400)
    flash(_("The answer was recorded."), "success")
    return redirect(url_for(".vacancy", vacancy_id=row.vacancy_id))


@bp.route("/units")
@staff_required(*UNIT_STAFF)
def units():
    every = permissions.sees_queues(current_user)
    return render_template("queues/units.html", units=queries.units_for(current_user, every),
                           fill=queries.days_to_fill_by_unit())


@bp.route("/units/<int:unit_id>")
@staff_required(*UNIT_STAFF)
def unit(unit_id: int):
    return _unit_page(get_permitted(HousingUnit, unit_id, permissions.sees_unit))


@bp.route("/units/<int:unit_id>/vacancies", methods=["POST"])
@staff_required(*UNIT_STAFF)
def report_vacancy(unit_id: int):
    row = get_permitted(HousingUnit, unit_id, permissions.sees_unit)
    form = forms.VacancyForm()
    if not form.validate():
        return _unit_page(row, vacancy_form=form, status=400)
    try:
        operations.report_vacancy(current_user, row, form.free_from.data)
    except operations.QueueError as exc:
        form.form_errors.append(str(exc))
        return _unit_page(row, vacancy_form=form, status=400)
    flash(_("The vacancy was reported to the queue coordinator."), "success")
    return redirect(url_for(".unit", unit_id=row.id))


@bp.route("/residencies/<int:residency_id>/end", methods=["POST"])
@staff_required(*UNIT_STAFF)
def end_residency(residency_id: int):
    row = get_permitted(Residency, residency_id, lambda user, r: permissions.sees_unit(user, r.unit))
    form = forms.EndResidencyForm()
    if not form.validate():
        return _unit_page(row.unit, end_form=form, status=400)
    try:
        operations.end_residency(current_user, row, form.ends_on.data, form.report_place.data)
    except operations.QueueError as exc:
        form.form_errors.append(str(exc))
        return _unit_page(row.unit, end_form=form, status=400)
    flash(_("The end of the residency was recorded."), "success")
    return redirect(url_for(".unit", unit_id=row.unit_id))


@bp.route("/clients/<int:enrolment_id>")
@staff_required(*CASEWORK_ROLES, COORDINATOR)
def client_status(enrolment_id: int):
    enrolment = get_permitted(Enrolment, enrolment_id, permissions.sees_client_status)
    record_read(current_user, operations.FEATURE, "queue_status", enrolment.id, enrolment.client_id)
    return render_template("queues/client_status.html", enrolment=enrolment,
                           status=queries.client_queue_status(enrolment.id))


# --- page builders -------------------------------------------------------------------------------------

def _queue(service_type: HousingServiceType) -> HousingQueue:
    """The queue, or an empty unsaved one while nobody has been queued for this service (a GET writes nothing)."""
    return queries.queue_of(service_type) or HousingQueue(service_type=service_type)


def _load_vacancy(vacancy_id: int) -> Vacancy:
    return get_permitted(Vacancy, vacancy_id, lambda user, v: permissions.sees_unit(user, v.unit))


def _offer_form(vacancy: Vacancy) -> forms.OfferForm:
    entries = [(e, _("%(name)s, in queue since %(date)s", name=e.enrolment.client.full_name,
                     date=local_date(e.queued_on))) for e in queries.suitable_entries(vacancy)]
    form = forms.OfferForm(entries)
    if not form.is_submitted() and entries:
        form.entry.data = entries[0][0].id
    return form


def _vacancy_page(vacancy: Vacancy, offer_form=None, answer_form=None, status: int = 200):
    """Coordinators see the offers and the next in the queue; the unit's staff only the placement."""
    placement = queries.placement_of(vacancy)
    context = {"vacancy": vacancy, "placement": placement, "coordinator": permissions.sees_queues(current_user),
               "offered": queries.offered_vacancies([vacancy.id])}
    if context["coordinator"]:
        context.update(offers=vacancy.offers, open_offer=queries.open_offer(vacancy.id),
                       offer_form=offer_form or _offer_form(vacancy), answer_form=answer_form or forms.AnswerForm(),
                       keeps=permissions.keeps(current_user, _queue(vacancy.unit.service_type)))
        for o in vacancy.offers:
            record_read(current_user, operations.FEATURE, "offer", o.id, o.entry.enrolment.client_id)
    if placement is not None:
        record_read(current_user, operations.FEATURE, "residency", placement[0].id, placement[1].id)
    return render_template("queues/vacancy.html", **context), status


def _unit_page(unit: HousingUnit, vacancy_form=None, end_form=None, status: int = 200):
    residents = queries.residents_of(unit)
    for residency, client in residents:
        record_read(current_user, operations.FEATURE, "residency", residency.id, client.id)
    vacancies = queries.vacancies_of(unit)
    return render_template("queues/unit.html", unit=unit, residents=residents, vacancies=vacancies,
                           offered=queries.offered_vacancies([v.id for v in vacancies]),
                           vacancy_form=vacancy_form or forms.VacancyForm(),
                           end_form=end_form or forms.EndResidencyForm(),
                           free=unit.places - queries.current_residents(unit.id)), status
