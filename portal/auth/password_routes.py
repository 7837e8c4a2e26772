"""Password pages: activation from an invitation, forgotten password, reset link, change password."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.auth import bp
from portal.auth.forms import ChangePasswordForm, ForgotPasswordForm, SetPasswordForm
from portal.auth.models import TokenPurpose
from portal.auth.operations import PasswordRefused, activate, change_password, request_password_reset, reset_password
from portal.auth.tokens import TokenError, lookup
from portal.extensions import db, limiter
from portal.i18n import _
from portal.web.navigation import home_for

# A link that cannot be used: unknown or forged → 404, expired or used → 410, account not in use → 403.
_STATUS = {"invalid": 404, "expired": 410, "used": 410, "inactive": 403}


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _reset_account_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/activate/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def activate_account(token: str):
    return _set_password_page(token, TokenPurpose.ACTIVATE, activate, _("Set your password"),
                              _("Your password is set. Please sign in."))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def reset(token: str):
    return _set_password_page(token, TokenPurpose.RESET, reset_password, _("Choose a new password"),
                              _("Your password has been changed and you were signed out everywhere. Please sign in."))


def _set_password_page(token: str, purpose: TokenPurpose, operation, title: str, done: str):
    try:
        row = lookup(token, purpose)
    except TokenError as error:
        return _link_error(error)
    if row.user.oidc_only:
        return render_template("auth/use_identity_provider.html"), 200
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            operation(token, form.password.data)
        except TokenError as error:
            return _link_error(error)
        except PasswordRefused as refused:
            form.password.errors.append(str(refused))
        else:
            flash(done, "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, title=title, user=row.user), \
        400 if form.errors else 200


def _link_error(error: TokenError):
    return render_template("auth/link_error.html", message=str(error)), _STATUS[error.reason]


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_reset_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        request_password_reset(form.email.data)
        db.session.commit()  # inside the floor: the known address's extra writes must not show in the timing
        # The same answer, after about the same time, whether or not the address has an account.
        floor = current_app.config["PASSWORD_RESET_MIN_MS"] / 1000
        time.sleep(max(0.0, floor - (time.monotonic() - started)))
        return render_template("auth/forgot_sent.html"), 200
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def change_own_password():
    if current_user.oidc_only:
        return render_template("auth/use_identity_provider.html"), 200
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            changed = change_password(current_user, form.current.data, form.password.data)
        except PasswordRefused as refused:
            form.password.errors.append(str(refused))
        else:
            if changed:
                flash(_("Your password has been changed. Other sessions were signed out."), "success")
                return redirect(home_for(current_user))
            db.session.commit()  # the 400 rolls the request back: keep the failed attempt's audit record
            form.current.errors.append(_("The current password is wrong."))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200
