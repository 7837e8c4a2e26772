"""Client: answer what is due, see own results. Worker: overview with the FIT graph, entry, correction."""

from __future__ import annotations

import secrets

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.audit.models import AuditAction
from portal.audit.operations import record, record_read
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.measures import bp, instruments, labels, operations, permissions, queries, views
from portal.measures.export import answers_csv
from portal.measures.forms import CorrectionForm, EntryForm, item_values
from portal.measures.models import Answer, AnswerSource
from portal.measures.operations import MeasureRefused
from portal.people.queries import client_of_user
from portal.programmes import registry
from portal.programmes.models import Enrolment
from portal.scheduling.timeutil import local
from portal.web.access import CASEWORK_ROLES, client_required, staff_required
from portal.web.navigation import safe_next

bp.record_once(lambda state: instruments.init_app(state.app))
for _name, _function in {
    "measures_due_for_client": queries.due_for_client, "measures_due_for_enrolment": queries.due_for_enrolment,
    "instrument_name": views.instrument_name, "occurrence_name": labels.occurrence_name,
    "meeting_time": views.meeting_time, "fit_summary": views.fit_summary, "fit_plain": views.fit_plain,
    "measure_error": labels.measure_error, "measure_label": labels.measure_label,
    "refused_message": labels.refused_message, "measures_alerts": views.alerts_of,
    "measures_in_use": queries.uses_measures,
}.items():
    bp.add_app_template_global(_function, _name)


def _enrolment(enrolment_id: int, allowed) -> Enrolment:
    """404 for an unknown enrolment, 403 for one that is not the user's to use here."""
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    if not allowed(current_user, enrolment):
        abort(403)
    return enrolment


# --- the client -----------------------------------------------------------------------------------

@bp.route("/me/measures")
@client_required
def my_results():
    client = client_of_user(current_user) or abort(403)
    return render_template("measures/my_results.html", **views.client_results(client, str(get_locale())),
                           calm=client.calm_mode)


@bp.route("/me/measures/<int:enrolment_id>/<code>/<key>", methods=["GET", "POST"])
@client_required
def answer(enrolment_id: int, code: str, key: str):
    enrolment = _enrolment(enrolment_id, permissions.is_own)
    existing = queries.answer_for(enrolment.id, code, key)
    if existing is not None and existing.submitted and request.method == "GET":
        return render_template("measures/answered.html", answer=existing, **views.answered(existing))
    occurrence = queries.find_occurrence(enrolment, code, key, utcnow(), open_only=True)
    if occurrence is None or not permissions.client_may_answer(current_user, enrolment, occurrence):
        return render_template("measures/closed.html"), 404 if occurrence is None else 403
    try:
        if request.method == "POST":
            return _client_post(enrolment, occurrence)
    except MeasureRefused as exc:
        if exc.key == "already":  # another form (a second tab) was sent first: show what was sent
            answered = queries.answer_for(enrolment.id, code, key)
            return render_template("measures/answered.html", answer=answered, refused=exc,
                                   **views.answered(answered)), 409
        return _answer_page(enrolment, occurrence, exc), 400
    return _answer_page(enrolment, occurrence)


def _client_post(enrolment, occurrence):
    version_id = request.form.get("version", type=int) or 0
    version = operations.version_for(enrolment, occurrence)
    raw = item_values(request.form, version.parsed)
    if request.form.get("action") == "draft":
        operations.save_draft(current_user, enrolment, occurrence, version_id, raw)
        flash(_("Your answers so far were saved. You can continue later."), "success")
        return redirect(url_for("me.home"))
    operations.submit(current_user, enrolment, occurrence, version_id, raw, request.form.get("token"))
    flash(_("Thank you! Your answer was sent to your worker."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("measures.answer", enrolment_id=enrolment.id,
                                                                  code=occurrence.instrument, key=occurrence.key))


def _answer_page(enrolment, occurrence, refused: MeasureRefused | None = None):
    version = operations.version_for(enrolment, occurrence)
    draft = queries.answer_for(enrolment.id, occurrence.instrument, occurrence.key)
    # A refused form keeps what was answered; a line the client never touched stays empty (no marker).
    values = item_values(request.form, version.parsed) if request.method == "POST" else (draft.values if draft else {})
    return render_template("measures/answer.html", enrolment=enrolment, occurrence=occurrence, version=version,
                           definition=version.parsed, values=values, refused=refused,
                           token=request.form.get("token") or secrets.token_urlsafe(24),
                           next=safe_next(request.values.get("next")), calm=enrolment.client.calm_mode)


@bp.route("/me/measures/<int:enrolment_id>/<code>/<key>/draft", methods=["POST"])
@client_required
def save_draft(enrolment_id: int, code: str, key: str):
    """The autosave endpoint (measures.js posts the form here); answers JSON."""
    enrolment = _enrolment(enrolment_id, permissions.client_may_answer)
    occurrence = queries.find_occurrence(enrolment, code, key, utcnow(), open_only=True)
    if occurrence is None or not permissions.client_may_answer(current_user, enrolment, occurrence):
        return jsonify(saved=False, message=_("This questionnaire is not open for answers now.")), 404
    version = operations.version_for(enrolment, occurrence)
    try:
        operations.save_draft(current_user, enrolment, occurrence, request.form.get("version", type=int) or 0,
                              item_values(request.form, version.parsed))
    except MeasureRefused as exc:
        return jsonify(saved=False, message=str(exc)), 409
    return jsonify(saved=True, message=_("Saved"))


# --- the worker -----------------------------------------------------------------------------------

@bp.route("/measures/enrolments/<int:enrolment_id>")
@staff_required(*CASEWORK_ROLES)
def overview(enrolment_id: int):
    enrolment = _enrolment(enrolment_id, permissions.worker_may_see)
    record_read(current_user, "measures", "enrolment", enrolment.id, enrolment.client_id)
    return render_template("measures/overview.html", enrolment=enrolment,
                           **views.worker_overview(enrolment, str(get_locale()), current_user))


@bp.route("/measures/export/<programme_code>.csv")
@staff_required(*CASEWORK_ROLES)
def export(programme_code: str):
    """The programme's answers of the clients this worker may see, for reporting (audited per client)."""
    if registry.definition(programme_code) is None:
        abort(404)
    answers = queries.answers_for_export(current_user, programme_code)
    for client_id in sorted({a.client_id for a in answers}):
        record(current_user, AuditAction.EXPORT, "measures", "answers", programme_code, client_id)
    response = Response(answers_csv(answers), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="silta-measures-{programme_code}.csv"'
    return response


@bp.route("/measures/enrolments/<int:enrolment_id>/client-graph", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def client_graph(enrolment_id: int):
    enrolment = _enrolment(enrolment_id, permissions.worker_may_see)
    visible = request.form.get("visible") == "1"
    operations.set_client_sees_fit_graph(current_user, enrolment, visible)
    flash(_("The client now sees their FIT graph.") if visible else _("The FIT graph is now hidden from the client."),
          "success")
    return redirect(url_for("measures.overview", enrolment_id=enrolment.id))


@bp.route("/measures/enrolments/<int:enrolment_id>/<code>/<key>/enter", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def enter(enrolment_id: int, code: str, key: str):
    enrolment = _enrolment(enrolment_id, permissions.worker_may_see)
    if not permissions.worker_may_handle(code):
        abort(403)
    occurrence = queries.find_occurrence(enrolment, code, key, utcnow(), open_only=False)
    if occurrence is None:
        abort(404)
    version = operations.version_for(enrolment, occurrence)
    form, refused = EntryForm(), None
    if form.validate_on_submit():
        try:
            operations.submit(current_user, enrolment, occurrence, request.form.get("version", type=int) or 0,
                              item_values(request.form, version.parsed), request.form.get("token"),
                              AnswerSource(form.source.data), local(form.answered_on.data, views.NOON))
        except MeasureRefused as exc:
            refused = exc
        else:
            flash(_("The answer was saved."), "success")
            return redirect(url_for("measures.overview", enrolment_id=enrolment.id))
    failed = refused is not None or bool(form.errors)
    return render_template("measures/enter.html", enrolment=enrolment, occurrence=occurrence, version=version,
                           definition=version.parsed, form=form, refused=refused,
                           values=dict(request.form), token=request.form.get("token") or secrets.token_urlsafe(24),
                           ), 400 if failed else 200


@bp.route("/measures/answers/<int:answer_id>/correct", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def correct(answer_id: int):
    answer = db.get_or_404(Answer, answer_id)
    enrolment = _enrolment(answer.enrolment_id, permissions.worker_may_see)
    if not permissions.worker_may_handle(answer.instrument_code):
        abort(403)
    form, refused = CorrectionForm(), None
    if form.is_submitted():
        try:
            operations.correct(current_user, answer, item_values(request.form, answer.instrument.parsed),
                               form.reason.data if form.validate() else None)
        except MeasureRefused as exc:
            refused = exc
        else:
            flash(_("The correction was saved."), "success")
            return redirect(url_for("measures.overview", enrolment_id=enrolment.id))
    else:
        record_read(current_user, "measures", "answer", answer.id, answer.client_id)
    values = dict(request.form) if form.is_submitted() else answer.values
    return render_template("measures/correct.html", answer=answer, enrolment=enrolment, form=form,
                           definition=answer.instrument.parsed, values=values, refused=refused,
                           ), 400 if refused else 200


from portal.measures import link_routes  # noqa: E402,F401  (questionnaires by link: their routes on this blueprint)
