"""SMART's endpoints: the discovery document, the consent page, the token and revocation endpoints."""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from flask import g, jsonify, render_template, request
from flask_login import current_user, login_required

from portal.extensions import csrf, limiter
from portal.people.queries import client_of_user
from portal.smart import bp, queries, scopes
from portal.smart.forms import ConsentForm
from portal.smart.server import fhir_base, server


@bp.route("/.well-known/smart-configuration")
@bp.route("/fhir/r4/.well-known/smart-configuration")
def configuration():
    return jsonify(queries.smart_configuration(request.url_root.rstrip("/")))


@bp.route("/smart/authorize", methods=["GET", "POST"])
@login_required
def authorize():
    form = ConsentForm()
    if queries.app_of(request.args.get("client_id", "")) is None:
        return _error("invalid_client"), 404
    try:
        grant = server().get_consent_grant(end_user=current_user)
    except OAuth2Error as exc:  # never redirected: the redirect URI is not known to be the app's
        return _error(exc.error), 400
    if request.values.get("aud", "").rstrip("/") != fhir_base():
        return _error("invalid_aud"), 400
    scope = scopes.for_account(grant.client.get_allowed_scope(grant.request.payload.scope), current_user.is_client)
    if not scopes.has_read_scope(scope):
        return _error("invalid_scope"), 400
    if not form.validate_on_submit():
        return render_template("smart/authorize.html", form=form, app=grant.client, scope=scope,
                               described=queries.describe(scope, current_user.is_client))
    own = client_of_user(current_user) if current_user.is_client else None
    g.smart_patient_id = own.id if own is not None else None
    return server().create_authorization_response(grant_user=current_user if form.allow.data else None,
                                                  grant=grant)


@bp.route("/smart/token", methods=["POST"])
@csrf.exempt
@limiter.limit(lambda: "60 per minute")
def token():
    return server().create_token_response()


@bp.route("/smart/revoke", methods=["POST"])
@csrf.exempt
def revoke():
    return server().create_endpoint_response("revocation")


def _error(error: str) -> str:
    return render_template("smart/error.html", message=queries.error_message(error))
