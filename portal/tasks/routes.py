"""The worker's first screen (/work/today), the live task list, and handling a request."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.audit.operations import record_list, record_read
from portal.caseload import queries as caseload
from portal.db import utcnow
from portal.i18n import _
from portal.scheduling.rules import BookingError, NeedsConfirmation
from portal.scheduling.timeutil import local_date
from portal.tasks import attention, bp, forms, operations, permissions, queries
from portal.tasks.models import Task
from portal.web.access import CASEWORK_ROLES, get_permitted, staff_required
from portal.web.templating import long_datetime


def _listed_clients(listing: queries.TaskList) -> list[int]:
    return [t.client_id for t in listing.tasks] + [t.enrolment.client_id for t in listing.threads]


@bp.route("/today")
@staff_required(*CASEWORK_ROLES)
def today():
    """The worker's first screen: the requests waiting for them, then what needs attention, most urgent first."""
    now = utcnow()
    listing = queries.task_list(current_user, now)
    ranked = attention.ranked(current_user, caseload.caseload(current_user), now, local_date(now))
    shown = ranked[:attention.FIRST_SCREEN]  # the rest are on the caseload page, most urgent first here
    record_list(current_user, "tasks", "tasks.today",
                _listed_clients(listing) + [c.row.client.id for c in shown])
    return render_template("tasks/today.html", listing=listing, ranked=shown, more=len(ranked) - len(shown))


@bp.route("/tasks/list")
@staff_required(*CASEWORK_ROLES)
def task_list():
    """The task list alone, fetched again by the page when /live says a task came or was handled."""
    listing = queries.task_list(current_user, utcnow())
    record_list(current_user, "tasks", "tasks.task_list", _listed_clients(listing))
    return render_template("tasks/_list.html", listing=listing)


@bp.route("/tasks/<int:task_id>/handle", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def handle(task_id: int):
    task = get_permitted(Task, task_id, permissions.can_handle)
    form = forms.HandleForm()
    if not form.validate():
        flash(" ".join(form.reply.errors) or _("The form expired. Please try again."), "error")
    else:
        try:
            operations.handle(current_user, task, form.reply.data)
            flash(_("The request was marked handled. The client sees it in Silta."), "success")
        except operations.TaskError as exc:
            flash(str(exc), "error")
    return redirect(url_for(".today", _anchor="tasks"))


@bp.route("/tasks/<int:task_id>/move", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def move(task_id: int):
    """The booking form for the request's new time, with the client's words beside it."""
    task = get_permitted(Task, task_id, permissions.can_handle)
    if task.appointment is None:
        abort(404)
    if task.handled:  # a stale list: a colleague handled it meanwhile
        flash(_("This request was already handled by %(name)s. The list has been updated.",
                name=task.handled_by.display_name), "info")
        return redirect(url_for(".today", _anchor="tasks"))
    form = forms.MoveForm(queries.ways_to_offer(task), task.wants_modality or task.appointment.modality)
    if not form.is_submitted():
        record_read(current_user, "tasks", "task", task.id, task.client_id)
    elif form.validate():
        try:
            new = operations.move(current_user, task, form.move(), form.reply.data)
        except NeedsConfirmation as exc:
            return _move_page(form, task, warnings=exc.warnings)
        except (BookingError, operations.TaskError) as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("The appointment was moved to %(when)s. The client is told.", when=long_datetime(new.starts_at)),
                  "success")
            return redirect(url_for(".today", _anchor="tasks"))
    return _move_page(form, task)


def _move_page(form: forms.MoveForm, task: Task, warnings=()):
    status = 400 if form.errors or form.form_errors or warnings else 200
    return render_template("tasks/move.html", form=form, task=task, warnings=warnings), status

