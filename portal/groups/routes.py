"""The group pages: list, new group, one group with its members and sessions, booking, attendance, closing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.audit.operations import record_read
from portal.db import utcnow
from portal.extensions import db
from portal.groups import bp, forms, operations, queries
from portal.groups.models import Group, GroupMember
from portal.i18n import _
from portal.web.access import CASEWORK_ROLES, staff_required
from portal.web.templating import local_datetime


@bp.route("/")
@staff_required(*CASEWORK_ROLES)
def index():
    return render_template("groups/index.html", groups=queries.visible_groups(current_user))


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def new():
    form = forms.GroupForm(queries.group_programmes(), queries.units_of(current_user),
                           queries.possible_leaders(current_user), str(get_locale()))
    if not form.is_submitted():
        return render_template("groups/new.html", form=form)
    if not form.validate():
        return render_template("groups/new.html", form=form), 400
    group = operations.create_group(current_user, programme_code=form.programme.data, unit_id=int(form.unit.data),
                                    name=form.name.data, capacity=form.capacity.data, leader=form.chosen_leader)
    flash(_("The group was created."), "success")
    return redirect(url_for(".show", group_id=group.id))


@bp.route("/<int:group_id>")
@staff_required(*CASEWORK_ROLES)
def show(group_id: int):
    group = _load(group_id)
    return _group_page(group, forms.MemberForm(queries.joinable_enrolments(current_user, group)))


@bp.route("/<int:group_id>/members", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def add_member(group_id: int):
    group = _load(group_id)
    form = forms.MemberForm(queries.joinable_enrolments(current_user, group))
    if not form.validate():
        return _group_page(group, form, status=400)
    try:
        joined = operations.add_member(current_user, group, form.chosen)
    except operations.GroupError as exc:
        form.enrolment.errors = [str(exc)]
        return _group_page(group, form, status=400)
    flash(_("%(name)s was added to the group. Coming sessions they were added to: %(count)s.",
            name=form.chosen.client.full_name, count=len(joined.sessions)), "success")
    for appointment, reason in joined.conflicts:  # reported, never skipped silently
        flash(_("Not added to the session on %(when)s: %(reason)s", when=local_datetime(appointment.starts_at, "short"),
                reason=reason), "warning")
    return redirect(url_for(".show", group_id=group.id))


@bp.route("/<int:group_id>/members/<int:member_id>/remove", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def remove_member(group_id: int, member_id: int):
    group = _load(group_id)
    member = db.get_or_404(GroupMember, member_id)
    if member.group_id != group.id or member.left_at is not None or group.closed:
        abort(404)
    operations.remove_member(current_user, member)
    flash(_("%(name)s left the group and was taken off its coming sessions.",
            name=member.enrolment.client.full_name), "success")
    return redirect(url_for(".show", group_id=group.id))


@bp.route("/<int:group_id>/sessions", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def sessions(group_id: int):
    group = _load(group_id)
    form = forms.SessionsForm(group.programme_code)
    if not form.is_submitted():
        return render_template("groups/sessions.html", group=group, form=form)
    if not form.validate():
        return render_template("groups/sessions.html", group=group, form=form), 400
    try:
        result = operations.book_sessions(current_user, group, form.sessions_request())
    except operations.GroupError as exc:
        form.form_errors.append(str(exc))
        return render_template("groups/sessions.html", group=group, form=form), 400
    return render_template("groups/booked.html", group=group, result=result)


@bp.route("/<int:group_id>/sessions/<int:appointment_id>/attendance", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def attendance(group_id: int, appointment_id: int):
    group = _load(group_id)
    appointment = queries.session_of(group, appointment_id) or abort(404)
    clients = [p.client for p in appointment.participants if p.client_id is not None]
    form = forms.attendance_form(clients, queries.attendance_of(appointment))
    if not form.is_submitted():
        _record_reads(group, [c.id for c in clients])
        return render_template("groups/attendance.html", group=group, appointment=appointment, form=form)
    try:
        if not form.validate():
            raise operations.GroupError(_("Choose an attendance for every member."))
        operations.record_attendance(current_user, group, appointment, forms.attendance_statuses(form))
    except operations.GroupError as exc:
        form.form_errors.append(str(exc))
        return render_template("groups/attendance.html", group=group, appointment=appointment, form=form), 400
    flash(_("The attendance was saved."), "success")
    return redirect(url_for(".show", group_id=group.id))


@bp.route("/<int:group_id>/close", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def close(group_id: int):
    group = _load(group_id)
    coming = operations.coming_sessions(group.id, utcnow())
    form = forms.CloseForm()
    if not form.is_submitted():
        return render_template("groups/close.html", group=group, coming=coming, form=form)
    if not form.validate():
        return render_template("groups/close.html", group=group, coming=coming, form=form), 400
    try:
        cancelled = operations.close_group(current_user, group, form.reason.data)
    except operations.GroupError as exc:  # closed meanwhile
        form.form_errors.append(str(exc))
        return render_template("groups/close.html", group=group, coming=coming, form=form), 400
    flash(_("The group was closed. Coming sessions cancelled: %(count)s.", count=len(cancelled)), "success")
    return redirect(url_for(".show", group_id=group.id))


def _load(group_id: int) -> Group:
    """404 for an unknown group, 403 for one the worker neither leads nor leads the unit of."""
    group = db.get_or_404(Group, group_id)
    if not queries.can_see(current_user, group):
        abort(403)
    return group


def _group_page(group: Group, member_form: forms.MemberForm, status: int = 200):
    upcoming, past = queries.sessions(group, utcnow())
    _record_reads(group, [m.client_id for m in group.members])
    return render_template("groups/show.html", group=group, member_form=member_form, upcoming=upcoming, past=past,
                           labels=forms.ATTENDANCE_LABELS), status


def _record_reads(group: Group, client_ids: list[int]) -> None:
    for client_id in dict.fromkeys(client_ids):
        record_read(current_user, "groups", "group", group.id, client_id)
