"""The reports pages: an index, one page per programme, and its CSV export."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import Role
from portal.extensions import db
from portal.people.models import OrgUnit
from portal.people.queries import municipalities
from portal.programmes import registry
from portal.reports import bp, export, labels, queries, views
from portal.reports.comments import confidential_forms, open_answers
from portal.reports.forms import FilterForm
from portal.reports.permissions import REPORT_ROLES, Scope, can_read_comments, can_view, scope_of
from portal.web.access import staff_required


def _programme(code: str) -> str:
    """404 for an unknown programme, 403 for a report the user may not see."""
    if registry.definition(code) is None:
        abort(404)
    if not can_view(current_user, code):
        abort(403)
    return code


def _form(scope: Scope) -> FilterForm:
    locale = str(get_locale())
    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.name_fi)).all()
    if scope.unit_ids is not None:
        units = [u for u in units if u.id in scope.unit_ids]
    return FilterForm(request.args, [(str(u.id), u.name(locale)) for u in units],
                      [(m.code, m.name(locale)) for m in municipalities()], labels.client_groups(), date.today())


def _audit(action: AuditAction, programme: str, form: FilterForm, what: str = "report") -> None:
    # A report counts many clients and names none: no client id, only what was asked.
    record(current_user, action, "reports", what, programme, None,
           {"start": form.start.data.isoformat(), "end": form.end.data.isoformat(), "unit": form.unit.data,
            "municipality": form.municipality.data, "client_group": form.client_group.data})


@bp.route("/")
@staff_required(*REPORT_ROLES)
def index():
    """The reports the user may open, of the programmes their part of the data has (a lead of one sees one)."""
    visible = [d for d in registry.all_definitions() if can_view(current_user, d.code)]
    scopes = {d.code: scope_of(current_user, d.code) for d in visible}
    having = {s: queries.programmes_in_scope(s.unit_ids, s.worker_id) for s in set(scopes.values())}
    return render_template("reports/index.html", programmes=[d for d in visible if d.code in having[scopes[d.code]]])


def _asked(programme: str):
    """The programme, the user's scope and the filled filter form; or the page with the form's errors (400)."""
    programme = _programme(programme)
    scope = scope_of(current_user, programme)
    form = _form(scope)
    if not form.validate():
        abort(Response(render_template("reports/report.html", programme=programme, form=form, figures=None,
                                       scope=scope), 400))
    return programme, scope, form


@bp.route("/<programme>")
@staff_required(*REPORT_ROLES)
def show(programme: str):
    programme, scope, form = _asked(programme)
    _audit(AuditAction.READ, programme, form)
    comments_open = can_read_comments(current_user, scope)
    return render_template("reports/report.html", programme=programme, form=form, scope=scope,
                           figures=views.report(programme, form.filters(scope)), minimum=views.minimum_cell(),
                           confidential=bool(confidential_forms(programme)), comments_open=comments_open)


@bp.route("/<programme>/comments")
@staff_required(Role.TEAM_LEAD)
def comments(programme: str):
    """The open answers of confidential client feedback, without names: the team lead's only (seeds 000, 002)."""
    programme, scope, form = _asked(programme)
    if not confidential_forms(programme):
        abort(404)
    if not can_read_comments(current_user, scope):
        abort(403)
    _audit(AuditAction.READ, programme, form, "comments")
    return render_template("reports/comments.html", programme=programme, form=form, minimum=views.minimum_cell(),
                           found=open_answers(programme, form.filters(scope), views.minimum_cell()))


@bp.route("/<programme>/export.csv")
@staff_required(*REPORT_ROLES)
def csv(programme: str):
    programme, scope, form = _asked(programme)
    _audit(AuditAction.EXPORT, programme, form)
    figures = views.report(programme, form.filters(scope))
    name = f"silta-{programme}-{form.start.data.isoformat()}-{form.end.data.isoformat()}.csv"
    return Response(export.csv_bytes(programme, form, figures, views.minimum_cell()),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
