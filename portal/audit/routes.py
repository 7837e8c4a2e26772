from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from portal.audit import bp, operations, queries, views
from portal.audit.forms import AuditSearchForm, RevealNameForm
from portal.audit.models import AuditAction
from portal.auth.models import Role
from portal.extensions import db
from portal.people.models import Client
from portal.people.queries import client_of_user
from portal.web.access import client_required, staff_required


@bp.route("/me/access-log")
@client_required
def my_access_log():
    client = client_of_user(current_user)
    if client is None:
        abort(403)
    page = queries.page_of(queries.access_visits(client), request.args.get("page", 1, type=int))
    return render_template("audit/access_log.html", page=page, when=views.visit_when, what=views.visit_what,
                           gap_minutes=int(queries.SESSION_GAP.total_seconds() // 60))


@bp.route("/admin/audit")
@staff_required(Role.ADMIN)
def search():
    """Pseudonymous: client numbers, never names (administrators do not read client records)."""
    form = AuditSearchForm(request.args)
    if request.args and not form.validate():
        return render_template("audit/search.html", form=form, page=None), 400
    return _results(form)


@bp.route("/admin/audit/clients/<int:client_id>/reveal", methods=["POST"])
@staff_required(Role.ADMIN)
def reveal(client_id: int):
    """Break-glass: with a written reason, one client's name is shown once; the reason is kept and audited."""
    client = db.get_or_404(Client, client_id)
    form, reveal_form = AuditSearchForm(formdata=None, data={"client_id": str(client.id)}), RevealNameForm()
    if not reveal_form.validate_on_submit():
        return _results(form, reveal_form, status=400)
    operations.reveal_name(current_user, client.id, reveal_form.reason.data)
    return _results(form, revealed=client)


def _results(form: AuditSearchForm, reveal_form: RevealNameForm | None = None, revealed: Client | None = None,
             status: int = 200):
    client_id = form.number(form.client_id)
    query = queries.search(client_id, form.number(form.actor_id),
                           AuditAction(form.action.data) if form.action.data else None)
    page = db.paginate(query, page=form.page.data or 1, per_page=queries.PAGE_SIZE, error_out=False)
    return render_template("audit/search.html", form=form, page=page, client_id=client_id, revealed=revealed,
                           reveal_form=reveal_form or RevealNameForm()), status
