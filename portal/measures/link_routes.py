"""Questionnaires by link: the worker sends one; the client answers from it without signing in (links.py)."""

from __future__ import annotations

import secrets

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user

from portal.extensions import csrf
from portal.i18n import _
from portal.measures import bp, links, operations, permissions
from portal.measures.forms import item_values
from portal.measures.links import LinkRefused, LinkState
from portal.measures.operations import MeasureRefused
from portal.notifications.models import Channel
from portal.web.access import CASEWORK_ROLES, staff_required


@bp.route("/measures/enrolments/<int:enrolment_id>/<code>/<key>/link", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def send_link(enrolment_id: int, code: str, key: str):
    from portal.measures.routes import _enrolment

    enrolment = _enrolment(enrolment_id, permissions.worker_may_see)
    try:
        channel = links.send_link(current_user, enrolment, code, key)
    except LinkRefused as exc:
        flash(str(exc), "error")
    else:
        flash(_("The link was sent to the client by text message.") if channel is Channel.SMS
              else _("The link was sent to the client by email."), "success")
    return redirect(url_for("measures.overview", enrolment_id=enrolment.id))


@bp.route("/q/<token>", methods=["GET", "POST"])
@csrf.exempt  # the unguessable link is the key; no session exists to ride on (and none is made)
def by_link(token: str):
    """Public, token-gated: the one questionnaire while the link works, else a page that shows nothing."""
    opened = links.open_link(token)
    chosen = request.args.get("lang") if request.args.get("lang") in current_app.config["LANGUAGES"] else None
    if opened.state is not LinkState.OPEN:
        with force_locale(chosen or str(get_locale())):
            return _private(render_template("measures/link_closed.html", state=opened.state.value),
                            404 if opened.state is LinkState.UNKNOWN else 410)
    enrolment = opened.link.enrolment
    with force_locale(chosen or links.language_of(enrolment)):
        refused = None
        if request.method == "POST":
            version = operations.version_for(enrolment, opened.occurrence)
            try:
                links.answer_by_link(opened, request.form.get("version", type=int) or 0,
                                     item_values(request.form, version.parsed), request.form.get("token"))
            except MeasureRefused as exc:
                if exc.key == "already":
                    return _private(render_template("measures/link_closed.html", state="used"), 410)
                refused = exc
            else:
                return _private(render_template("measures/link_thanks.html", confidential=version.parsed.confidential),
                                200)
        return _private(_answer_page(opened, refused), 400 if refused else 200)


def _answer_page(opened, refused):
    version = operations.version_for(opened.link.enrolment, opened.occurrence)
    return render_template("measures/link_answer.html", occurrence=opened.occurrence, version=version,
                           definition=version.parsed, values=dict(request.form) if refused else {},
                           refused=refused, token=request.form.get("token") or secrets.token_urlsafe(24),
                           calm=opened.link.enrolment.client.calm_mode)  # the client's own setting, as signed in


def _private(body: str, status: int):
    """The token is in the address: never cached, never sent on as a referrer, never indexed."""
    return body, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
