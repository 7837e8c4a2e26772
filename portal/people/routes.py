"""The client's activation page: a code from the worker, the birth date, and a password of their own."""

from __future__ import annotations

import hashlib

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth import oidc, tokens
from portal.auth.operations import sign_in
from portal.auth.passwords import MIN_LENGTH
from portal.errors import Refusal
from portal.extensions import limiter
from portal.i18n import _
from portal.people import bp
from portal.people.forms import ActivationForm
from portal.people.operations import activate_account, bind_identity_login


@bp.record_once
def _bind_clients_by_identity_code(state) -> None:
    # A Suomi.fi login finds its client by the identity code (people/operations.py); auth asks through this.
    oidc.register_binder(state.app, "client", bind_identity_login)


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _code_key() -> str:
    # Per code, wherever the guesses come from; the limiter's storage gets a digest, never the code.
    code = tokens.normalise(request.form.get("code") or "")[:40]
    return "activate:" + hashlib.sha256(code.encode()).hexdigest()[:32]


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@limiter.limit(_limit, methods=["POST"], key_func=_code_key)
def activate():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = ActivationForm()
    if form.validate_on_submit():
        try:
            user = activate_account(form.code.data, form.birth_date.data, form.email.data, form.password.data)
        except tokens.TokenError as error:
            form.code.errors = [str(error)]
        except Refusal as refusal:
            refusal.show_on(form, "code")
        else:
            sign_in(user, "activation")
            flash(_("Your account is ready. From now on, sign in with your email address and password."), "success")
            return redirect(url_for("me.home"))
    form.password.data = form.confirm.data = None  # never sent back
    return render_template("people/activate.html", form=form, min_password_length=MIN_LENGTH), \
        400 if form.errors else 200
