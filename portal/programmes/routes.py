"""The service lifecycle pages: start a service from the client's page, name its people, hand it over, end it."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.audit.operations import record_read
from portal.auth.models import User
from portal.extensions import db
from portal.i18n import _
from portal.people.models import Client
from portal.people.permissions import can_see_registration
from portal.programmes import bp, forms, operations, queries, registry
from portal.programmes.definitions_schema import StartThrough
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.programmes.permissions import can_manage
from portal.web.access import CASEWORK_ROLES, staff_required

# Where a programme that does not start from the client page starts (its definition's ``starts_through``).
STARTS_ELSEWHERE = {StartThrough.INTAKE: "intake.index", StartThrough.REFERRAL: "referrals.inbox"}


def _client(client_id: int) -> Client:
    """404 for an unknown client, 403 for one not in the worker's units or services; a page shown is a read."""
    client = db.get_or_404(Client, client_id)
    if not can_see_registration(current_user, client.id):
        abort(403)
    if request.method == "GET":
        record_read(current_user, operations.FEATURE, "client", client.id, client.id)
    return client


def _enrolment(enrolment_id: int) -> Enrolment:
    """404 for an unknown service, 403 unless the worker runs it; a page shown is a read of its people."""
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    if not can_manage(current_user, enrolment):
        abort(403)
    if request.method == "GET":
        record_read(current_user, operations.FEATURE, "enrolment", enrolment.id, enrolment.client_id)
    return enrolment


def _definition(code: str):
    definition = registry.definition(code)
    if definition is None:
        abort(404)
    return definition


def offer_to_close(enrolment: Enrolment, served: bool):
    """After a contact recorded as "served in this contact" (seed 004): the end page with the programme's
    single-contact reason chosen, for the worker to confirm; None when there is nothing to offer."""
    reason = queries.single_contact_reason(enrolment) if served else None
    if reason is None or not can_manage(current_user, enrolment):
        return None
    flash(_("The client was served in this contact. You can close the case now."), "info")
    return redirect(url_for("programmes.end", enrolment_id=enrolment.id, reason=reason))


def _to_client(enrolment: Enrolment):
    return redirect(url_for("caseload.client", client_id=enrolment.client_id) + f"#enrolment-{enrolment.id}")


@bp.route("/clients/<int:client_id>/services/new")
@staff_required(*CASEWORK_ROLES)
def choose(client_id: int):
    client = _client(client_id)
    return render_template("programmes/choose.html", client=client, definitions=registry.all_definitions(),
                           elsewhere=STARTS_ELSEWHERE)


@bp.route("/clients/<int:client_id>/services/new/<code>", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def start(client_id: int, code: str):
    client, definition = _client(client_id), _definition(code)
    if definition.starts_through in STARTS_ELSEWHERE:
        return redirect(url_for(STARTS_ELSEWHERE[definition.starts_through]))
    units = queries.units_of(current_user)
    form = forms.StartForm(definition, units, queries.workers_of([u.id for u in units]), queries.case_workers())
    if form.validate_on_submit():
        try:
            enrolment = operations.start_service(current_user, client, definition, *_start_values(form, units))
        except operations.EnrolmentError as exc:
            form.refuse(exc)
        else:
            flash(_("The service was started. Name the own team next."), "success")
            return redirect(url_for("programmes.people", enrolment_id=enrolment.id))
    return render_template("programmes/start.html", client=client, definition=definition, form=form), \
        400 if form.is_submitted() else 200


def _start_values(form: forms.StartForm, units) -> tuple:
    unit = next((u for u in units if u.id == form.unit_id.data), None)
    if unit is None:
        raise operations.EnrolmentError(operations.MESSAGES["not_my_unit"], "unit_id")
    decision = operations.DecisionFacts(form.decision_on.data, form.decision_valid_until.data,
                                        _user(form.decided_by_id.data))
    return (unit, form.start_on.data, _user(form.coordinator_id.data), form.coordinator_role.data,
            _user(form.deputy_id.data), decision)


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


@bp.route("/services/<int:enrolment_id>/people", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def people(enrolment_id: int):
    """The contact person's role and the deputy (one form), the own team (another, told apart by ``form``)."""
    enrolment = _enrolment(enrolment_id)
    definition = _definition(enrolment.programme_code)
    people_form = forms.PeopleForm(definition, queries.workers_of([enrolment.unit_id]), obj=_people_data(enrolment))
    team_form = forms.TeamMemberForm(definition, queries.case_workers())
    posted = {"people": people_form, "team": team_form}.get(request.form.get("form", ""))
    if posted is not None and posted.validate_on_submit():
        try:
            _save_people(enrolment, posted)
        except operations.EnrolmentError as exc:
            posted.refuse(exc)
        else:
            flash(_("The service's people were saved."), "success")
            return redirect(url_for("programmes.people", enrolment_id=enrolment.id))
    status = 400 if posted is not None else 200
    return render_template("programmes/people.html", enrolment=enrolment, definition=definition,
                           people_form=people_form, team_form=team_form), status


def _people_data(enrolment: Enrolment):
    from types import SimpleNamespace

    role = enrolment.coordinator_role or _definition(enrolment.programme_code).contact_roles[0].code
    return SimpleNamespace(coordinator_role=role, deputy_id=enrolment.deputy_id or forms.NOBODY)


def _save_people(enrolment: Enrolment, form) -> None:
    if isinstance(form, forms.PeopleForm):
        operations.set_people(current_user, enrolment, form.coordinator_role.data, _user(form.deputy_id.data))
        return
    member = _user(form.user_id.data)
    if member is None:
        raise operations.EnrolmentError(_("Choose the worker to add."), "user_id")
    operations.add_team_member(current_user, enrolment, member, form.team_role.data)


@bp.route("/services/<int:enrolment_id>/team/<int:user_id>/remove", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def remove_team_member(enrolment_id: int, user_id: int):
    enrolment = _enrolment(enrolment_id)
    try:
        operations.remove_team_member(current_user, enrolment, user_id)
    except operations.EnrolmentError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The team member was removed."), "success")
    return redirect(url_for("programmes.people", enrolment_id=enrolment.id))


@bp.route("/services/<int:enrolment_id>/transfer", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def transfer(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    form = forms.TransferForm([u for u in queries.workers_of([enrolment.unit_id]) if u.id != enrolment.coordinator_id])
    if form.validate_on_submit():
        try:
            to_user = _user(form.to_user_id.data)
            if to_user is None:
                raise operations.EnrolmentError(_("Choose the new contact person."), "to_user_id")
            operations.transfer(current_user, enrolment, to_user, form.note.data)
        except operations.EnrolmentError as exc:
            form.refuse(exc)
        else:
            flash(_("The service was handed over to %(name)s. The client was told.", name=to_user.display_name),
                  "success")
            return _to_client(enrolment)
    return render_template("programmes/transfer.html", enrolment=enrolment, form=form,
                           transfers=queries.transfers_of(enrolment)), 400 if form.is_submitted() else 200


@bp.route("/services/<int:enrolment_id>/end", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def end(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    definition = _definition(enrolment.programme_code)
    form = forms.EndForm(definition, reason=request.args.get("reason"))
    if form.validate_on_submit():
        try:
            operations.end_service(current_user, enrolment, form.reason.data, form.ended_on.data, date.today())
        except operations.EnrolmentError as exc:
            form.refuse(exc)
        else:
            flash(_("The service ended. Its coming appointments were cancelled and the client was told."), "success")
            if definition.end.continuation_plan:  # 003 (PPT phase 4): the continuation plan comes next
                flash(_("Write the continuation plan with the client now."), "info")
                return redirect(url_for("plans.continuation", enrolment_id=enrolment.id))
            return _to_client(enrolment)
    return render_template("programmes/end.html", enrolment=enrolment, definition=definition, form=form,
                           ended=enrolment.status is EnrolmentStatus.ENDED), 400 if form.is_submitted() else 200


@bp.app_template_global("programme_role")
def programme_role(code: str, role: str | None) -> str:
    """The translated name of a contact-person or own-team role; older free-text roles as written."""
    definition = registry.definition(code)
    item = definition.team_role(role) if definition else None
    return item.name.get(forms.locale()) if item else (role or "")


@bp.app_template_global("contact_role_of")
def contact_role_of(enrolment: Enrolment) -> str:
    """What the coordinator is called in this programme (003: hoitovastaava or omatyöntekijä)."""
    definition = registry.definition(enrolment.programme_code)
    if definition is None:
        return _("Care coordinator")
    item = definition.contact_role(enrolment.coordinator_role) or definition.contact_roles[0]
    return item.name.get(forms.locale())


@bp.app_template_global("can_manage_service")
def can_manage_service(enrolment: Enrolment) -> bool:
    return can_manage(current_user, enrolment)


@bp.app_template_global("recent_handover")
def recent_handover(enrolment: Enrolment):
    """The service's handover of the last 30 days, if any: the client's page says who their new person is."""
    return queries.recent_transfer(enrolment)
