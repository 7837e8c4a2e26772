from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from portal.audit import bp, queries
from portal.audit.forms import AuditSearchForm
from portal.audit.models import AuditAction
from portal.auth.models import Role
from portal.extensions import db
from portal.people.queries import client_of_user
from portal.web.access import client_required, staff_required


@bp.route("/me/access-log")
@client_required
def my_access_log():
    client = client_of_user(current_user)
    if client is None:
        abort(403)
    page = db.paginate(queries.access_log_for_client(client), per_page=queries.PAGE_SIZE, error_out=False)
    return render_template("audit/access_log.html", page=page)


@bp.route("/admin/audit")
@staff_required(Role.ADMIN)
def search():
    form = AuditSearchForm(request.args)
    if request.args and not form.validate():
        return render_template("audit/search.html", form=form, page=None), 400
    query = queries.search(form.number(form.client_id), form.number(form.actor_id),
                           AuditAction(form.action.data) if form.action.data else None)
    page = db.paginate(query, page=form.page.data or 1, per_page=queries.PAGE_SIZE, error_out=False)
    return render_template("audit/search.html", form=form, page=page)
