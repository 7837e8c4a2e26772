"""The referrals pages: the referrer's forms and list, the health social work inbox, logging a contact."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import bindparam

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import Role
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.meetings.operations import records_outcome
from portal.people.models import Client
from portal.programmes import registry
from portal.programmes.models import Enrolment
from portal.programmes.routes import offer_to_close
from portal.referrals import bp, forms, operations, permissions, queries
from portal.referrals.labels import LABELS
from portal.referrals.models import Referral, ReferralKind
from portal.scheduling.timeutil import as_helsinki
from portal.web import header
from portal.web.access import CASEWORK_ROLES, get_permitted, staff_required

# A referred client's first held contact moves them to phase working: connected here, once, with the blueprint.
operations.init_receivers()


@bp.app_context_processor
def _helpers() -> dict:
    def referrals_link() -> tuple[str, str] | None:
        """The one header link: the referrer's own list, or the inbox for a unit that receives referrals."""
        if not current_user.is_authenticated or not current_user.is_staff:
            return None
        if current_user.has_role(Role.REFERRER):
            return "referrals.mine", _("My referrals")
        if header.fact("receives_referrals"):
            return "referrals.inbox", _("Referrals inbox")
        return None

    return {"referrals_link": referrals_link}


header.register("receives_referrals", lambda: queries.referrer_in_unit(bindparam("user_id")),
                lambda user: user.is_staff and not user.has_role(Role.REFERRER) and queries.may_receive(user))


@bp.record_once
def _label_global(state) -> None:
    """A global, not a context variable: the referral macros are imported without the context."""
    state.app.jinja_env.globals["referral_label"] = lambda member: str(LABELS[member])


@bp.route("/referrals/")
@staff_required(Role.REFERRER)
def mine():
    rows = queries.sent_by(current_user)
    _audit_reads(rows)
    return render_template("referrals/mine.html", rows=rows)


@bp.route("/referrals/new", methods=["GET", "POST"])
@staff_required(Role.REFERRER)
def new_referral():
    form = forms.ReferralForm(queries.units_for_referrer(current_user), queries.municipalities())
    return _send(form, "referrals/new_referral.html", _("The referral was sent to health social work."))


@bp.route("/referrals/consult", methods=["GET", "POST"])
@staff_required(Role.REFERRER)
def new_consultation():
    form = forms.ConsultationForm(queries.units_for_referrer(current_user))
    return _send(form, "referrals/new_consultation.html", _("The consultation was sent to health social work."))


def _send(form, template: str, done: str):
    if not form.is_submitted():
        return render_template(template, form=form)
    if not form.validate():
        return render_template(template, form=form), 400
    try:
        operations.send(current_user, form.draft())
    except operations.ReferralError as exc:
        form.refuse(exc)
        return render_template(template, form=form), 400
    flash(done, "success")
    return redirect(url_for(".mine"))


@bp.route("/referrals/inbox")
@staff_required(*CASEWORK_ROLES)
def inbox():
    rows, handled = queries.inbox(current_user), queries.recently_handled(current_user, utcnow())
    _audit_reads(rows + handled)
    return render_template("referrals/inbox.html", rows=rows, handled=handled, days=queries.RECENT_DAYS)


@bp.route("/referrals/<int:referral_id>")
@staff_required(Role.REFERRER, *CASEWORK_ROLES)
def show(referral_id: int):
    referral = get_permitted(Referral, referral_id, permissions.can_view)
    _audit_reads([referral])
    if not permissions.can_handle(current_user, referral):
        return render_template("referrals/sent.html", referral=referral)
    return _handling_page(referral)


@bp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def accept(referral_id: int):
    referral = get_permitted(Referral, referral_id, permissions.can_handle)
    form = forms.AcceptForm(queries.candidates(referral))
    if not form.validate():
        return _handling_page(referral, accept_form=form, status=400)
    try:
        client = db.session.get(Client, form.client_id) if form.client_id else None
        enrolment = operations.accept(current_user, referral, client)
    except operations.ReferralError as exc:
        form.refuse(exc)
        return _handling_page(referral, accept_form=form, status=400)
    flash(_("The referral was accepted and the client enrolled in health social work."), "success")
    return redirect(url_for(".log_contact", enrolment_id=enrolment.id))


@bp.route("/referrals/<int:referral_id>/answer", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def answer(referral_id: int):
    referral = get_permitted(Referral, referral_id, permissions.can_handle)
    form = forms.AnswerForm()
    if not form.validate():
        return _handling_page(referral, answer_form=form, status=400)
    try:
        operations.answer(current_user, referral, form.answer.data)
    except operations.ReferralError as exc:
        form.refuse(exc)
        return _handling_page(referral, answer_form=form, status=400)
    flash(_("The answer was sent to the referrer."), "success")
    return redirect(url_for(".inbox"))


def _handling_page(referral: Referral, accept_form=None, answer_form=None, status: int = 200):
    candidates = queries.candidates(referral) if referral.kind is ReferralKind.REFERRAL else []
    if referral.is_open and referral.kind is ReferralKind.REFERRAL:
        accept_form = accept_form or forms.AcceptForm(candidates)
    if referral.is_open and referral.kind is ReferralKind.CONSULTATION:
        answer_form = answer_form or forms.AnswerForm()
    return render_template("referrals/handle.html", referral=referral, accept_form=accept_form,
                           answer_form=answer_form), status


@bp.route("/referrals/contacts/<int:enrolment_id>", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def log_contact(enrolment_id: int):
    enrolment = get_permitted(Enrolment, enrolment_id, permissions.can_log_contact)
    if not records_outcome(enrolment.programme_code):
        abort(404)
    form = forms.ContactForm(registry.definition(enrolment.programme_code), as_helsinki(utcnow()))
    if not form.is_submitted():
        record(current_user, AuditAction.READ, "referrals", "enrolment", enrolment.id, enrolment.client_id)
        return _contact_page(form, enrolment)
    try:
        if not form.validate():
            return _contact_page(form, enrolment, 400)
        contact = operations.log_contact(current_user, enrolment, form.entry())
    except operations.ReferralError as exc:
        form.refuse(exc)
        return _contact_page(form, enrolment, 400)
    flash(_("The contact was logged."), "success")
    if contact.outcome is not None and contact.outcome.value == "follow_up":
        flash(_("Book the follow-up now."), "info")
        return redirect(url_for("scheduling.book", enrolment_id=enrolment.id))
    served = contact.outcome is not None and contact.outcome.value == "served"
    return offer_to_close(enrolment, served) or redirect(url_for(".log_contact", enrolment_id=enrolment.id))


def _contact_page(form, enrolment: Enrolment, status: int = 200):
    return render_template("referrals/contact.html", form=form, enrolment=enrolment, client=enrolment.client,
                           contacts=queries.enrolment_contacts(enrolment)), status


def _audit_reads(rows: list[Referral]) -> None:
    """One audit record for each referral shown that names a person (a consultation may name nobody)."""
    for referral in rows:
        if referral.names_person:
            record(current_user, AuditAction.READ, "referrals", referral.kind.value, referral.id, referral.client_id)
