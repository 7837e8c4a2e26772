from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from requests import RequestException

from portal import signals
from portal.auth import bp, oidc, throttle
from portal.auth.forms import LanguageForm, LoginForm
from portal.auth.operations import (
    authenticate_local,
    end_other_sessions,
    resolve_oidc_identity,
    set_language,
    sign_in,
    sign_out,
)
from portal.extensions import db, limiter
from portal.i18n import _
from portal.web.navigation import home_for, safe_next


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=throttle.deduct_on_failure)  # wrong passwords only
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm(next=request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        if throttle.refused(form.email.data):  # this address failed on an account now past its limit
            abort(429)
        user = authenticate_local(form.email.data, form.password.data)
        if user is not None:
            return second_step.after_password(user, safe_next(form.next.data))
        throttle.failed(form.email.data)
        # One message for an unknown account and a wrong password: no account enumeration.
        form.password.errors.append(_("The email address or password is wrong."))
        db.session.commit()  # the 401 rolls the request back: keep the failed sign-in's audit record
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, providers=oidc.providers()), status


@bp.route("/login/<provider>")
def oidc_start(provider: str):
    client = oidc.client(provider)
    if client is None:
        return render_template("errors/error.html", code=404, title=_("Page not found"),
                               hint=_("This sign-in method is not in use.")), 404
    session["oidc_next"] = safe_next(request.args.get("next"))
    return client.authorize_redirect(url_for("auth.oidc_callback", provider=provider, _external=True))


@bp.route("/auth/<provider>/callback")
def oidc_callback(provider: str):
    client = oidc.client(provider)
    if client is None:
        return render_template("errors/error.html", code=404, title=_("Page not found"),
                               hint=_("This sign-in method is not in use.")), 404
    try:
        token = client.authorize_access_token()
    except (AuthlibBaseError, RequestException, KeyError, ValueError):
        # Wrong or replayed state, a refused or replayed code, a bad ID token, an unreachable provider.
        return _login_failed(_("Sign-in did not succeed. Please start again."), 400)
    user = resolve_oidc_identity(oidc.providers()[provider], token.get("userinfo") or {})
    if user is None and oidc.providers()[provider].get("kind") == "client":
        # Suomi.fi knows the person, Silta does not: a client is registered by their worker, never by a login.
        return render_template("people/not_registered.html"), 403
    if user is None:
        return _login_failed(_("No Silta account is linked to this identity. Please contact your service."), 403)
    next_url = session.pop("oidc_next", None)
    sign_in(user, "oidc:" + provider)
    return redirect(next_url or home_for(user))


def _login_failed(message: str, status: int):
    signals.login_failed.send("oidc")
    form = LoginForm()
    return render_template("auth/login.html", form=form, providers=oidc.providers(), error=message), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sign_out(current_user)
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/sessions/end-others", methods=["POST"], endpoint="end_other_sessions")
@login_required
def end_other_sessions_route():
    """The account page's "sign out my other sessions": every other browser is signed out at once."""
    ended = end_other_sessions(current_user)
    flash(_("Your other sessions were signed out (%(count)s).", count=ended), "success")
    return redirect(url_for("core.account"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return render_template("errors/error.html", code=400, title=_("The request could not be understood"),
                               hint=_("Please choose one of the languages offered.")), 400
    set_language(current_user, form.locale.data)
    return redirect(safe_next(form.next.data) or url_for("core.index"))


# The password, invitation and two-step pages add their views to the same blueprint.
from portal.auth import password_routes, session_routes  # noqa: E402,F401
from portal.auth import totp_routes as second_step  # noqa: E402
