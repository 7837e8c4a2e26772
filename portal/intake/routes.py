"""The intake pages: the intake list, assessments, the decision meeting's agenda, decisions, the client's view.

Each route parses, loads (404) and authorizes (403), calls an operation and renders. A refused operation
renders the page again with status 400 (the request's transaction is rolled back: nothing half-saved).
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user, login_required
from sqlalchemy import bindparam
from wtforms.fields.choices import SelectChoice

from portal.audit.models import AuditAction
from portal.audit.operations import record, record_read
from portal.auth.models import Role, User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, _l
from portal.intake import areas, bp, forms, operations, permissions, queries
from portal.intake.labels import LABELS
from portal.intake.models import (
    Assessment,
    Decision,
    DecisionMeeting,
    DecisionMeetingItem,
    DecisionOutcome,
    HousingServiceType,
    IntakeChannel,
    IntakeItem,
    IntakeStatus,
)
from portal.intake.operations import IntakeError
from portal.people.queries import unit_caseworkers
from portal.programmes.models import Enrolment
from portal.scheduling.timeutil import local_date
from portal.web import header
from portal.web.access import CASEWORK_ROLES, client_required, get_permitted, staff_required

INTAKE_STAFF = (*CASEWORK_ROLES, Role.REFERRER)
# Who sits in SAP (seed 001): case workers, and the service-unit manager who chairs (agenda and decisions only).
SAP_STAFF = (*CASEWORK_ROLES, Role.SERVICE_MANAGER)
TABS = (("intake.index", _l("Intake list")), ("intake.new", _l("New contact")),
        ("intake.assessments", _l("Assessments")), ("intake.meetings", _l("Decision meetings")),
        ("intake.decisions", _l("Decisions to sign")))


@bp.context_processor
def _labels():
    return {"intake_label": lambda value: LABELS[value] if value in LABELS else value}


def _tabs() -> list[tuple[str, str]]:
    """The intake tabs this user may open: a service-unit manager without case work sees SAP's two."""
    if current_user.has_role(*CASEWORK_ROLES):
        return list(TABS)
    return [tab for tab in TABS if tab[0] in ("intake.meetings", "intake.decisions")]


def _navigation() -> list[tuple[str, str]]:
    """The one header link of intake: the client's application, or the intake list for case workers."""
    if not current_user.is_authenticated:
        return []
    if current_user.is_client:
        return [("intake.mine", _("My housing application"))] if header.fact("housing_application") else []
    if current_user.has_role(*CASEWORK_ROLES):
        return [("intake.index", _("Housing intake"))]
    if current_user.has_role(Role.SERVICE_MANAGER):
        return [("intake.meetings", _("Decision meetings"))]
    if current_user.has_role(Role.REFERRER):
        return [("intake.new", _("Notify need for social welfare"))]
    return []


bp.record_once(lambda state: state.app.jinja_env.globals.update(intake_navigation=_navigation, intake_tabs=_tabs))
header.register("housing_application", lambda: queries.application_exists(bindparam("user_id")),
                lambda user: user.is_client)


def _today() -> date:
    return local_date(utcnow())


def _municipalities() -> list[tuple[str, str]]:
    rows = queries.intake_municipalities(tuple(current_app.config.get("INTAKE_MUNICIPALITIES") or ()))
    return [(m.code, m.name(str(get_locale()))) for m in rows]


# --- the intake list ---------------------------------------------------------------------------------------

@bp.route("/intake")
@staff_required(*CASEWORK_ROLES)
def index():
    status = request.args.get("status", IntakeStatus.received.value)
    chosen = IntakeStatus(status) if status in {s.value for s in IntakeStatus} - {"draft"} else None
    items = queries.intake_list(current_user, chosen)
    return render_template("intake/index.html", items=items, status=chosen, statuses=list(IntakeStatus)[1:])


@bp.route("/intake/new", methods=["GET", "POST"])
@staff_required(*INTAKE_STAFF)
def new():
    """Staff enter a phone, paper or visit contact; a professional makes a §35 notification."""
    casework = current_user.has_role(*CASEWORK_ROLES)
    form = forms.StaffItemForm(_municipalities(), forms.channels_for(casework))
    if request.method == "GET":
        form.received_on.data = _today()
    if form.validate_on_submit():
        try:
            item = operations.receive(current_user, IntakeChannel(form.channel.data), form.details(
                str(get_locale())), form.received_on.data, _today())
        except IntakeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("The contact is in the intake list."), "success")
            return redirect(url_for("intake.item", item_id=item.id) if casework else url_for("intake.new"))
    status = 400 if request.method == "POST" else 200
    return render_template("intake/new.html", form=form, casework=casework), status


def _load_item(item_id: int) -> IntakeItem:
    item = get_permitted(IntakeItem, item_id, permissions.can_see_item)
    # A contact not yet matched to a client is audited too (client_id stays empty until it is).
    record(current_user, AuditAction.READ, "intake", "intake_item", item.id, item.client_id)
    return item


@bp.route("/intake/items/<int:item_id>")
@staff_required(*CASEWORK_ROLES)
def item(item_id: int):
    item = _load_item(item_id)
    return _item_page(item)


def _item_page(item: IntakeItem, error: str | None = None):
    duplicate = queries.duplicates_of(item) if item.status is IntakeStatus.received else None
    return render_template("intake/item.html", item=item, duplicate=duplicate, error=error,
                           form=forms.PlainForm()), 400 if error else 200


@bp.route("/intake/items/<int:item_id>/register", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def register(item_id: int):
    item = _load_item(item_id)
    try:
        enrolment = operations.register(current_user, item, None, _today())
    except IntakeError as exc:
        return _item_page(item, str(exc))
    flash(_("Registered: the assessment is open."), "success")
    return redirect(url_for("intake.assessment", assessment_id=queries.latest_assessment(enrolment.id).id))


@bp.route("/intake/items/<int:item_id>/merge", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def merge(item_id: int):
    item = _load_item(item_id)
    try:
        operations.merge(current_user, item)
    except IntakeError as exc:
        return _item_page(item, str(exc))
    flash(_("The contact was merged into the existing case."), "success")
    return redirect(url_for("intake.index"))


# --- assessments ------------------------------------------------------------------------------------------

@bp.route("/intake/assessments")
@staff_required(*CASEWORK_ROLES)
def assessments():
    today = _today()
    rows = [(a, queries.deadline_state(a, today)) for a in queries.assessments_for(current_user)]
    return render_template("intake/assessments.html", rows=rows, today=today)


@bp.route("/intake/assessments/<int:assessment_id>", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def assessment(assessment_id: int):
    row = get_permitted(Assessment, assessment_id, permissions.can_see_assessment)
    record_read(current_user, "intake", "assessment", row.id, row.enrolment.client_id)
    codes = [area.code for area in areas.configured()]
    form = forms.assessment_form(codes, row)
    form.worker_id.choices = _worker_choices(row)
    if form.validate_on_submit():
        try:
            operations.update_assessment(current_user, row, db.session.get(User, form.worker_id.data),
                                         form.started_on.data, form.completed_on.data, form.summary.data, _today(),
                                         form.client_summary.data, form.areas(codes))
        except IntakeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("The assessment was saved."), "success")
            return redirect(url_for("intake.assessment", assessment_id=row.id))
    status = 400 if request.method == "POST" else 200
    return render_template("intake/assessment.html", row=row, form=form, areas=areas.configured(),
                           state=queries.deadline_state(row, _today())), status


def _worker_choices(row: Assessment) -> list[tuple[int, str]]:
    return [SelectChoice(u.id, u.display_name) for u in unit_caseworkers(row.enrolment.unit_id)]


# --- the decision meeting (SAP) ---------------------------------------------------------------------------

@bp.route("/intake/meetings", methods=["GET", "POST"])
@staff_required(*SAP_STAFF)
def meetings():
    if request.method == "POST":
        _schedule_meetings()
        return redirect(url_for("intake.meetings"))
    rows = queries.meetings_for(current_user, utcnow().replace(hour=0, minute=0))
    return render_template("intake/meetings.html", meetings=rows, form=forms.PlainForm(),
                           may_schedule=current_user.has_role(Role.SERVICE_MANAGER), booked=queries.booked_minutes)


def _schedule_meetings() -> None:
    if not current_user.has_role(Role.SERVICE_MANAGER) or not forms.PlainForm().validate_on_submit():
        abort(403)
    operations.schedule_meetings_of_chair(current_user, _today(), 4, current_app.config)
    flash(_("The meetings of the next four weeks are in the calendar."), "success")


def _load_meeting(meeting_id: int) -> DecisionMeeting:
    return get_permitted(DecisionMeeting, meeting_id, permissions.can_see_meeting)


@bp.route("/intake/meetings/<int:meeting_id>")
@staff_required(*SAP_STAFF)
def meeting(meeting_id: int):
    return _meeting_page(_load_meeting(meeting_id))


@bp.route("/intake/meetings/<int:meeting_id>/attendance", methods=["POST"])
@staff_required(*SAP_STAFF)
def attendance(meeting_id: int):
    """The chair records who attended (seed 001: the service-unit manager, the lead social worker, the workers)."""
    meeting = _load_meeting(meeting_id)
    if not operations.may_chair(current_user, meeting):
        abort(403)
    form = _attendance_form(meeting)
    if not form.validate_on_submit():
        return _meeting_page(meeting, attendance_form=form, status=400)
    try:
        operations.record_attendance(current_user, meeting, set(form.attendees.data or ()), utcnow())
    except IntakeError as exc:
        return _meeting_page(meeting, attendance_form=form, error=str(exc), status=400)
    flash(_("Attendance was recorded."), "success")
    return redirect(url_for("intake.meeting", meeting_id=meeting.id, _anchor="attendance"))


def _attendance_form(meeting: DecisionMeeting) -> forms.AttendanceForm:
    form = forms.AttendanceForm(prefix="attendance")
    form.attendees.choices = [SelectChoice(u.id, f"{u.display_name}, {u.title}" if u.title else u.display_name)
                              for u in queries.sap_members(meeting.unit_id)]
    if not form.is_submitted():
        form.attendees.data = [a.user_id for a in meeting.attendees]
    return form


def _meeting_page(meeting: DecisionMeeting, book_form=None, error: str | None = None, status: int = 200,
                  attendance_form=None):
    lines = queries.agenda(current_user, meeting)
    for line in lines:
        if line.visible:
            record_read(current_user, "intake", "decision_meeting_item", line.item.id, line.item.enrolment.client_id)
    book_form = book_form or forms.BookSlotForm()
    book_form.enrolment_id.choices = [SelectChoice(e.id, e.client.full_name)
                                      for e in queries.bookable_enrolments(current_user)]
    chair = operations.may_chair(current_user, meeting)
    if chair and attendance_form is None:
        attendance_form = _attendance_form(meeting)
    return render_template(
        "intake/meeting.html", meeting=meeting, lines=lines, book_form=book_form, error=error,
        booked=queries.booked_minutes(meeting), chair=chair, started=meeting.starts_at <= utcnow(),
        may_book=current_user.has_role(*CASEWORK_ROLES),
        attendance_form=attendance_form, outcome_form=forms.OutcomeForm, outcomes=DecisionOutcome,
        service_types=HousingServiceType), status


@bp.route("/intake/meetings/<int:meeting_id>/book", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def book_slot(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    form = forms.BookSlotForm()
    if not form.validate_on_submit():
        return _meeting_page(meeting, form, status=400)
    enrolment = db.get_or_404(Enrolment, form.enrolment_id.data)
    if not permissions.works_on(current_user, enrolment.id):
        abort(403)
    try:
        operations.book_slot(current_user, meeting, enrolment, form.estimated_minutes.data, utcnow())
    except IntakeError as exc:
        return _meeting_page(meeting, form, str(exc), 400)
    flash(_("The client is on the agenda."), "success")
    return redirect(url_for("intake.meeting", meeting_id=meeting.id))


@bp.route("/intake/agenda/<int:item_id>/outcome", methods=["POST"])
@staff_required(*SAP_STAFF)
def record_outcome(item_id: int):
    item = db.get_or_404(DecisionMeetingItem, item_id)
    if not operations.may_chair(current_user, item.meeting):
        abort(403)
    form = forms.OutcomeForm(prefix=f"item{item.id}")
    if not form.validate_on_submit():
        return _meeting_page(item.meeting, error=_("Check the outcome and the minutes used."), status=400)
    try:
        decision = operations.record_outcome(
            current_user, item, DecisionOutcome(form.outcome.data),
            HousingServiceType(form.service_type.data) if form.service_type.data else None, form.actual_minutes.data)
    except IntakeError as exc:
        return _meeting_page(item.meeting, error=str(exc), status=400)
    flash(_("The outcome was recorded and the decision drafted."), "success")
    return redirect(url_for("intake.meeting", meeting_id=item.meeting_id, _anchor=f"item-{decision.meeting_item_id}"))


# --- decisions ---------------------------------------------------------------------------------------------

@bp.route("/intake/decisions")
@staff_required(*SAP_STAFF)
def decisions():
    return render_template("intake/decisions.html", decisions=queries.decisions_for(current_user, signed=False),
                           signed=queries.decisions_for(current_user, signed=True, limit=20))


@bp.route("/intake/decisions/<int:decision_id>", methods=["GET", "POST"])
@staff_required(*SAP_STAFF)
def decision(decision_id: int):
    row = get_permitted(Decision, decision_id, permissions.can_see_decision)
    record_read(current_user, "intake", "decision", row.id, row.enrolment.client_id)
    form, error = forms.DecisionForm(obj=row), None
    if form.validate_on_submit():
        try:
            operations.edit_decision(current_user, row, form.body.data)
        except IntakeError as exc:
            error = str(exc)
        else:
            flash(_("The decision text was saved."), "success")
            return redirect(url_for("intake.decision", decision_id=row.id))
    status = 400 if request.method == "POST" else 200
    return render_template("intake/decision.html", row=row, form=form, error=error,
                           sign_form=forms.PlainForm()), status


@bp.route("/intake/decisions/<int:decision_id>/sign", methods=["POST"])
@staff_required(*SAP_STAFF)
def sign(decision_id: int):
    row = get_permitted(Decision, decision_id, permissions.can_see_decision)
    try:
        operations.sign_decision(current_user, row)
    except IntakeError as exc:
        return render_template("intake/decision.html", row=row, form=forms.DecisionForm(obj=row), error=str(exc),
                               sign_form=forms.PlainForm()), 400
    flash(_("The decision was signed. The client can now see it."), "success")
    return redirect(url_for("intake.decision", decision_id=row.id))


@bp.route("/housing/decisions/<int:decision_id>/print")
@login_required
def decision_print(decision_id: int):
    """The decision on paper, in its own language whoever prints it (the client: only once signed)."""
    if not (current_user.is_client or current_user.has_role(*SAP_STAFF)):
        abort(403)
    row = get_permitted(Decision, decision_id, permissions.can_see_decision)
    record_read(current_user, "intake", "decision", row.id, row.enrolment.client_id)
    with force_locale(row.language):
        return render_template("intake/decision_print.html", row=row)


# --- the client's own pages ------------------------------------------------------------------------------

@bp.route("/me/housing")
@client_required
def mine():
    status = queries.client_status(current_user)
    if status is not None and status.enrolment is not None:
        record_read(current_user, "intake", "enrolment", status.enrolment.id, status.enrolment.client_id)
    return render_template("intake/mine.html", status=status, stages=queries.STAGES,
                           draft=queries.draft_of(current_user))


@bp.route("/me/assessment")
@client_required
def my_assessment():
    """Seed 001: the client sees the summary of their service-needs assessment and their own view of each area."""
    row = queries.client_assessment(current_user)
    if row is not None:
        record_read(current_user, "intake", "assessment", row.id, row.enrolment.client_id)
    return render_template("intake/my_assessment.html", row=row, area_names=areas.names(str(get_locale())))


@bp.route("/me/housing/request", methods=["GET", "POST"])
@client_required
def service_request():
    draft = queries.draft_of(current_user)
    form = forms.RequestForm(_municipalities(), obj=draft)
    if request.method == "GET" and draft is None:
        _prefill(form)
    if request.method == "POST" and form.is_submitted():
        return _save_request(form)
    return render_template("intake/request.html", form=form, draft=draft)


def _prefill(form: forms.RequestForm) -> None:
    client = queries.client_of(current_user)
    if client is not None:
        form.first_name.data, form.last_name.data = client.first_name, client.last_name
        form.birth_year.data, form.municipality_code.data = client.birth_year, client.municipality_code
        form.phone.data, form.email.data = client.phone, client.email


def _save_request(form: forms.RequestForm):
    details = form.details(str(get_locale()))
    if request.form.get("action") != "send":  # a draft may be incomplete
        operations.save_draft(current_user, details)
        flash(_("Your draft was saved. You can continue later."), "success")
        return redirect(url_for("intake.service_request"))
    if form.validate():
        try:
            operations.submit_request(current_user, details, _today())
        except IntakeError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Your service request was sent. We will contact you."), "success")
            return redirect(url_for("intake.mine"))
    return render_template("intake/request.html", form=form, draft=queries.draft_of(current_user)), 400
