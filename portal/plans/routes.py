"""The plan pages: one page per enrolment for the client and their workers; the actions each may take."""

from __future__ import annotations

from types import SimpleNamespace

from babel.dates import format_time, get_day_names
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user, login_required

from portal.db import utcnow
from portal.drafts import operations as drafts
from portal.extensions import db
from portal.i18n import _, format_locale
from portal.plans import bp, forms, operations, permissions, photos, queries
from portal.plans.labels import LABELS
from portal.plans.models import Goal, GoalStatus, Step, StepOwner
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling.rules import BookingError
from portal.scheduling.timeutil import NonexistentLocalTime, local, local_date
from portal.web.access import CASEWORK_ROLES, client_required, get_permitted, staff_required
from portal.web.inputs import allow_uploads
from portal.web.navigation import safe_next


@bp.context_processor
def _labels():
    return {"plan_label": lambda value: LABELS[value] if value in LABELS else value,
            "goal_status": GoalStatus, "settable_statuses": [s for s in GoalStatus if s is not GoalStatus.PROPOSED]}


def _weekday_name(weekday: int) -> str:
    return get_day_names("wide", locale=str(get_locale()))[weekday]


def _short_time(value) -> str:
    """A wall-clock time of the working week (no date, so no time zone to convert)."""
    return format_time(value, "short", locale=format_locale())


# Used on the client's home page and the worker's client page too (their templates are not this feature's).
bp.record_once(lambda state: state.app.jinja_env.globals.update(
    care_team_for=queries.care_team, weekday_name=_weekday_name, photo_stamps=queries.photo_stamps,
    staff_photo_url=lambda user_id, stamp: url_for("plans.staff_photo", user_id=user_id, v=int(stamp.timestamp())),
    new_photo_form=forms.PhotoForm))
bp.record_once(lambda state: state.app.jinja_env.filters.update(short_time=_short_time))


def _load(enrolment_id: int) -> Enrolment:
    """404 for an unknown enrolment; 403 for one the user may not read (staff are offered break-glass)."""
    return get_permitted(Enrolment, enrolment_id, permissions.can_read)


def _load_for_work(enrolment_id: int) -> Enrolment:
    return get_permitted(Enrolment, enrolment_id, permissions.can_work)


def _goal_for_work(goal_id: int) -> Goal:
    goal = db.get_or_404(Goal, goal_id)
    if not permissions.can_work(current_user, goal.plan.enrolment):
        abort(403)
    return goal


def _page(enrolment: Enrolment, status: int = 200, **given):
    """The plan page with fresh forms, except the one given back with the user's input and its errors."""
    plan = queries.read_plan(current_user, enrolment)
    definition = registry.definition(enrolment.programme_code)
    worker = permissions.can_work(current_user, enrolment)
    form_set = {"goal_form": forms.GoalForm(prefix="goal"), "note_form": forms.NoteForm(prefix="note"),
                "step_form": forms.StepForm(prefix="step"), "step_goal": None,
                "review_form": forms.ReviewForm(prefix="review", obj=_review_obj(plan)),
                "book_form": _book_form(definition, day=queries.next_review_on(plan)),
                "phase_form": forms.PhaseForm(current=enrolment.phase),
                "estimate_form": _estimate_form(plan)}
    drafts.prefill(form_set["note_form"], current_user, f"plan-note:{enrolment.id}")
    form_set.update(given)
    return render_template(
        "plans/show.html", enrolment=enrolment, plan=plan, definition=definition, worker=worker,
        active=permissions.is_active(enrolment), next_review=queries.next_review_on(plan),
        transitions=queries.transitions(enrolment) if worker else [], **form_set), status


def _estimate_form(plan) -> forms.EstimateForm:
    form = forms.EstimateForm(prefix="estimate")
    if plan is not None and plan.estimated_on is not None and not form.is_submitted():
        form.months.data, form.contacts_per_month.data = plan.estimate_months, plan.estimate_contacts_per_month
        form.services.data = plan.estimate_services
    return form


def _review_obj(plan):
    return None if plan is None else SimpleNamespace(review_on=plan.review_on, interval=plan.review_interval_days)


def _book_form(definition, **kwargs):
    if definition is None or definition.plan is None:
        return None
    contact_type = definition.contact_type(definition.plan.review_contact_type)
    return forms.BookReviewForm(list(contact_type.modalities), prefix="book", **kwargs)


def _to_plan(enrolment: Enrolment, anchor: str | None = None):
    return redirect(url_for("plans.show", enrolment_id=enrolment.id, _anchor=anchor))


@bp.route("/me/plans")
@client_required
def mine():
    return render_template("plans/mine.html", enrolments=queries.client_enrolments(current_user))


@bp.route("/plans/<int:enrolment_id>")
@permissions.client_or_casework
def show(enrolment_id: int):
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    if not permissions.can_read(current_user, enrolment):
        return refuse_or_offer_break_glass(enrolment)
    return _page(enrolment)


def refuse_or_offer_break_glass(enrolment: Enrolment, next_url: str | None = None):
    """403: a case worker outside the client's team is offered audited urgent access (the plan page and
    message threads share this); anyone else is simply refused."""
    if not current_user.has_role(*CASEWORK_ROLES):
        abort(403)
    form = forms.BreakGlassForm(next=next_url or "")
    return render_template("plans/break_glass.html", enrolment=enrolment, form=form), 403


@bp.route("/plans/<int:enrolment_id>/break-glass", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def break_glass(enrolment_id: int):
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    form = forms.BreakGlassForm()
    if form.validate():
        try:
            operations.break_glass(current_user, enrolment, form.reason.data)
        except operations.PlanError as exc:
            form.reason.errors.append(str(exc))
    if form.errors:
        return render_template("plans/break_glass.html", enrolment=enrolment, form=form), 400
    flash(_("Urgent access was opened for %(hours)s hours. It is recorded with your reason.",
            hours=operations.BREAK_GLASS_HOURS), "success")
    target = safe_next(form.next.data)
    return redirect(target) if target else _to_plan(enrolment)


@bp.route("/plans/<int:enrolment_id>/print")
@permissions.client_or_casework
def print_view(enrolment_id: int):
    """The current plan on paper, in the client's language whoever prints it."""
    enrolment = _load(enrolment_id)
    plan = queries.read_plan(current_user, enrolment)
    with force_locale(_client_locale(enrolment)):
        return render_template("plans/print.html", enrolment=enrolment, plan=plan, lang=_client_locale(enrolment),
                               next_review=queries.next_review_on(plan))


def _client_locale(enrolment: Enrolment) -> str:
    user = enrolment.client.user
    if user is not None:
        return user.locale
    return "sv" if enrolment.client.language.value == "sv" else "fi"


@bp.route("/plans/<int:enrolment_id>/versions")
@permissions.client_or_casework
def versions(enrolment_id: int):
    enrolment = _load(enrolment_id)
    plan = queries.read_plan(current_user, enrolment)
    if plan is None or not plan.versions:
        return render_template("plans/versions.html", enrolment=enrolment, plan=plan, changes=None)
    newer = queries.version(plan, request.args.get("newer", type=int)) or plan.versions[-1]
    older = queries.version(plan, request.args.get("older", type=int)) or plan.versions[max(0, newer.number - 2)]
    return render_template("plans/versions.html", enrolment=enrolment, plan=plan, older=older, newer=newer,
                           changes=queries.compare(older, newer))


@bp.route("/plans/<int:enrolment_id>/goals", methods=["POST"])
@permissions.client_or_casework
def add_goal(enrolment_id: int):
    enrolment = _load(enrolment_id)
    form = forms.GoalForm(prefix="goal")
    if form.validate():
        try:
            operations.add_goal(current_user, enrolment, form.text.data)
        except operations.PlanError as exc:
            form.text.errors.append(str(exc))
        else:
            flash(_("Your goal was sent to your worker.") if current_user.is_client else _("The goal was added."),
                  "success")
            return _to_plan(enrolment, "goals")
    return _page(enrolment, 400, goal_form=form)


@bp.route("/plans/<int:enrolment_id>/notes", methods=["POST"])
@permissions.client_or_casework
def add_note(enrolment_id: int):
    enrolment = _load(enrolment_id)
    form = forms.NoteForm(prefix="note")
    if form.validate():
        try:
            operations.add_note(current_user, enrolment, form.body.data)
        except operations.PlanError as exc:
            form.body.errors.append(str(exc))
        else:
            drafts.clear(current_user, f"plan-note:{enrolment.id}")
            flash(_("The note was saved."), "success")
            return _to_plan(enrolment, "notes")
    return _page(enrolment, 400, note_form=form)


@bp.route("/plans/steps/<int:step_id>/done", methods=["POST"])
@permissions.client_or_casework
def step_done(step_id: int):
    step = db.get_or_404(Step, step_id)
    enrolment = _load(step.goal.plan.enrolment_id)
    try:
        changed = operations.mark_step_done(current_user, step)
    except operations.PlanError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Well done! The step is marked done.") if changed else _("The step was already done."), "success")
    return _to_plan(enrolment, f"step-{step.id}")


@bp.route("/plans/goals/<int:goal_id>/status", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def goal_status(goal_id: int):
    goal = _goal_for_work(goal_id)
    form = forms.GoalStatusForm()
    if not form.validate():
        abort(400)
    try:
        operations.set_goal_status(current_user, goal, GoalStatus(form.status.data))
    except operations.PlanError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The goal's status was saved."), "success")
    return _to_plan(goal.plan.enrolment, f"goal-{goal.id}")


@bp.route("/plans/goals/<int:goal_id>/steps", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def add_step(goal_id: int):
    goal = _goal_for_work(goal_id)
    form = forms.StepForm(prefix="step")
    if form.validate():
        try:
            operations.add_step(current_user, goal, form.what.data, StepOwner(form.owner.data), form.due_on.data)
        except operations.PlanError as exc:
            form.what.errors.append(str(exc))
        else:
            flash(_("The step was added."), "success")
            return _to_plan(goal.plan.enrolment, f"goal-{goal.id}")
    return _page(goal.plan.enrolment, 400, step_form=form, step_goal=goal.id)


@bp.route("/plans/<int:enrolment_id>/review", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def review(enrolment_id: int):
    enrolment = _load_for_work(enrolment_id)
    form = forms.ReviewForm(prefix="review")
    if not form.validate():
        return _page(enrolment, 400, review_form=form)
    try:
        operations.set_review(current_user, enrolment, form.review_on.data, form.interval.data)
    except operations.PlanError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The review date was saved."), "success")
    return _to_plan(enrolment, "review")


@bp.route("/plans/<int:enrolment_id>/estimate", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def estimate(enrolment_id: int):
    """PPT phase 1: the preliminary estimate of how long and how much service, made with the client."""
    enrolment = _load_for_work(enrolment_id)
    form = forms.EstimateForm(prefix="estimate")
    if form.validate():
        try:
            operations.set_estimate(current_user, enrolment, form.months.data, form.contacts_per_month.data,
                                    form.services.data, local_date(utcnow()))
        except operations.PlanError as exc:
            form.months.errors.append(str(exc))
        else:
            flash(_("The preliminary estimate was saved."), "success")
            return _to_plan(enrolment, "estimate")
    return _page(enrolment, 400, estimate_form=form)


@bp.route("/plans/<int:enrolment_id>/book-review", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def book_review(enrolment_id: int):
    enrolment = _load_for_work(enrolment_id)
    form = _book_form(registry.definition(enrolment.programme_code))
    if form is None:
        abort(404)
    if form.validate():
        try:
            operations.book_review(current_user, enrolment, local(form.day.data, form.time.data),
                                   Modality(form.modality.data))
        except (operations.PlanError, BookingError, NonexistentLocalTime) as exc:
            form.day.errors.append(str(exc))
        else:
            flash(_("The plan review was booked. The client sees it in their appointments."), "success")
            return _to_plan(enrolment, "review")
    return _page(enrolment, 400, book_form=form)


@bp.route("/plans/<int:enrolment_id>/agree", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def agree(enrolment_id: int):
    enrolment = _load_for_work(enrolment_id)
    try:
        version = operations.agree_version(current_user, enrolment)
    except operations.PlanError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Version %(number)s of the plan was saved as agreed.", number=version.number), "success")
    return _to_plan(enrolment, "versions")


@bp.route("/plans/<int:enrolment_id>/phase", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def phase(enrolment_id: int):
    enrolment = _load_for_work(enrolment_id)
    form = forms.PhaseForm()
    try:
        operations.move_to_next_phase(current_user, enrolment, form.current.data or "")
    except operations.PlanError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The service moved to its next phase."), "success")
    return _to_plan(enrolment, "phase")


@bp.route("/plans/<int:enrolment_id>/continuation", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def continuation(enrolment_id: int):
    enrolment = _load_for_work(enrolment_id)
    plan = queries.read_plan(current_user, enrolment)
    form = forms.ContinuationForm(obj=plan)
    if form.validate_on_submit():
        try:
            operations.write_continuation(current_user, enrolment, form.next_steps.data, form.self_care.data,
                                          form.support.data)
        except operations.PlanError as exc:
            form.next_steps.errors.append(str(exc))
        else:
            flash(_("The continuation plan was saved. The client can read it, also after the service ends."),
                  "success")
            return _to_plan(enrolment, "continuation")
    return render_template("plans/continuation.html", enrolment=enrolment, form=form), 400 if form.errors else 200


# The app refuses bodies over 2 MB; a phone photo is often bigger. Up to twice the limit reaches the form
# (which says the file is too big); beyond, 413.
allow_uploads(bp, 2 * photos.MAX_UPLOAD_BYTES, "upload_photo")


@bp.route("/account/photo", methods=["GET", "POST"])
@staff_required()
def upload_photo():
    """A staff member's own photo, shown to their clients on the care-team card (the form is on the account page)."""
    if request.method == "GET":
        return redirect(url_for("core.account", _anchor="photo"))
    form = forms.PhotoForm()
    if form.validate():
        try:
            # One byte over the limit is enough to refuse it: the rest is never read into memory.
            operations.set_photo(current_user, form.photo.data.read(photos.MAX_UPLOAD_BYTES + 1))
        except operations.PlanError as exc:
            form.photo.errors.append(str(exc))
        else:
            flash(_("Your photo was saved. Your clients see it with your name."), "success")
            return redirect(url_for("core.account", _anchor="photo"))
    return render_template("core/account.html", photo_form=form), 400


@bp.route("/account/photo/remove", methods=["POST"])
@staff_required()
def remove_photo():
    if operations.remove_photo(current_user):
        flash(_("Your photo was removed."), "success")
    return redirect(url_for("core.account", _anchor="photo"))


@bp.route("/staff/<int:user_id>/photo")
@login_required
def staff_photo(user_id: int):
    """The photo, to staff and to the clients whose care team the person is in (403 to anyone else)."""
    if not permissions.can_see_photo(current_user, user_id):
        abort(403)
    photo = queries.photo_of(user_id)
    if photo is None:
        abort(404)
    response = Response(photo.data, mimetype="image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The URL carries the photo's version, so a browser may keep it for a day; never a shared cache.
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
