"""Two-step verification pages: the code after the password, enrolment (at sign-in or from the account).

Between the password and the code the session holds only a pending sign-in (who, their session
generation, where to go next, since when); nobody is signed in until the second step passes.
"""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth import bp, totp
from portal.auth.forms import CodeForm
from portal.auth.models import User
from portal.auth.operations import sign_in
from portal.extensions import db, limiter
from portal.i18n import _
from portal.web.navigation import home_for

PENDING = "pending_sign_in"
PENDING_SECONDS = 600  # time to find the phone and, the first time, to install an authenticator app


def after_password(user: User, next_url: str | None):
    """The response to a right password: signed in, or on to the code or to enrolment first."""
    if not user.totp_enabled and not totp.required_for(user):
        sign_in(user, "password")
        return redirect(next_url or home_for(user))
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session[PENDING] = {"user": user.id, "epoch": user.auth_epoch, "next": next_url, "at": int(time.time())}
    return redirect(url_for("auth.second_factor" if user.totp_enabled else "auth.enrol_at_sign_in"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or user.auth_epoch != pending.get("epoch"):
        return None
    return user


def _account_key() -> str:
    pending = session.get(PENDING) or {}
    return f"totp:{pending.get('user', '-')}"


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["TOTP_RATE_LIMIT"]


def _finish(user: User, method: str):
    next_url = (session.get(PENDING) or {}).get("next")
    sign_in(user, method)  # clears the pending state with the rest of the old session
    return redirect(next_url or home_for(user))


@bp.route("/login/verify", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def second_factor():
    user = _pending_user()
    if user is None or not user.totp_enabled:
        return _expired()
    form = CodeForm()
    if form.validate_on_submit():
        method = totp.verify(user, form.code.data)
        if method is not None:
            return _finish(user, "password+" + method)
        record(user, AuditAction.LOGIN_FAILED, "auth", "user", user.id, detail={"step": "totp"})
        signals.login_failed.send("totp")
        db.session.commit()  # the refusal answers 401, which rolls the request back: keep its audit record
        form.code.errors.append(_("The code is wrong or has already been used. Enter the newest code from your app."))
    status = 401 if form.is_submitted() else 200
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/login/two-step-setup", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def enrol_at_sign_in():
    user = _pending_user()
    if user is None or user.totp_enabled:
        return _expired()
    return _enrolment(user, at_sign_in=True)


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
@limiter.limit(_address_limit, methods=["POST"])
def two_step():
    if current_user.totp_enabled:
        return render_template("auth/two_step.html", left=totp.recovery_codes_left(current_user),
                               required=totp.required_for(current_user), renew=CodeForm(prefix="renew"),
                               off=CodeForm(prefix="off"))
    return _enrolment(current_user, at_sign_in=False)


@bp.route("/account/two-step/off", methods=["POST"])
@login_required
@limiter.limit(_address_limit)
def two_step_off():
    form = CodeForm(prefix="off")
    if totp.required_for(current_user):
        flash(_("Two-step verification is required for staff accounts and cannot be turned off."), "error")
    elif form.validate_on_submit() and totp.verify(current_user, form.code.data):
        totp.disable(current_user, current_user)
        flash(_("Two-step verification is off."), "success")
    else:
        flash(_("The code is wrong or has already been used. Enter the newest code from your app."), "error")
    return redirect(url_for("auth.two_step"))


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(_address_limit)
def new_recovery_codes():
    form = CodeForm(prefix="renew")
    if current_user.totp_enabled and form.validate_on_submit() and totp.verify(current_user, form.code.data):
        codes = totp.regenerate_recovery_codes(current_user)
        return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.two_step"))
    flash(_("The code is wrong or has already been used. Enter the newest code from your app."), "error")
    return redirect(url_for("auth.two_step"))


def _enrolment(user: User, at_sign_in: bool):
    form = CodeForm()
    secret = totp.pending_secret(user)
    if form.validate_on_submit() and secret is not None:
        codes = totp.confirm_enrolment(user, form.code.data)
        if codes is not None:
            next_url = (session.get(PENDING) or {}).get("next") if at_sign_in else None
            if at_sign_in:
                sign_in(user, "password+totp")
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=next_url or home_for(user)), 200
        form.code.errors.append(_("The code does not match. Check the time on your phone and enter the newest code."))
    status = 400 if form.errors else 200
    if secret is None:
        # A new key must be kept (a 4xx answer would roll it back): the page says so and answers 200.
        if form.is_submitted():
            form.code.errors.append(_("The setup had expired. Add the new key below to your app."))
        secret, status = totp.begin_enrolment(user), 200
    uri = totp.provisioning_uri(user, secret)
    return render_template("auth/totp_enrol.html", form=form, secret=secret, qr=totp.qr_svg(uri),
                           at_sign_in=at_sign_in, required=totp.required_for(user)), status


def _expired():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("auth/sign_in_expired.html"), 200
