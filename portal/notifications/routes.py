"""The outbox page: what Silta has queued and sent, for administrators (recipients masked, no bodies)."""

from __future__ import annotations

from flask import render_template

from portal.auth.models import Role
from portal.extensions import db
from portal.i18n import _l
from portal.notifications import backends, bp, queries
from portal.notifications.models import Channel, OutboxStatus
from portal.web.access import staff_required
from portal.web.labels import EnumLabels

LABELS = EnumLabels(
    {Channel.EMAIL: _l("Email"), Channel.SMS: _l("Text message")},
    {OutboxStatus.QUEUED: _l("Waiting"), OutboxStatus.SENT: _l("Sent"), OutboxStatus.FAILED: _l("Not sent")},
)


@bp.route("/admin/outbox")
@staff_required(Role.ADMIN)
def outbox():
    page = db.paginate(queries.latest_messages(), per_page=queries.PAGE_SIZE, error_out=False)
    return render_template("notifications/outbox.html", page=page, rows=[queries.OutboxRow.of(m) for m in page.items],
                           backends=backends.configured(), labels=LABELS)
