"""The autosave endpoint of drafts.js: POST the form's fields to /drafts/<kind>:<id>."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user, login_required

from portal.drafts import bp, operations


@bp.route("/drafts/<key>", methods=["POST"])
@login_required
def save(key: str):
    """Kept (or dropped, for an emptied form); 404 for a form that keeps no drafts."""
    if operations.kind_of(key) is None:
        abort(404)
    return jsonify(saved=operations.save(current_user, key, request.form) is not None)
