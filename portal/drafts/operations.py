"""Keep, read and drop a form's draft. Only the fields each kind of form names are kept, each bounded."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import delete, select
from wtforms import Form

from portal.auth.models import User
from portal.drafts.models import FormDraft
from portal.extensions import db

# Which fields of which forms keep a draft ("<kind>:<id>" → the field names, as posted).
FIELDS = {
    "plan-note": ("note-body",),
    "change-request": ("preferred_times", "message"),
    "callback": ("preferred_times", "phone"),
}
KEY = re.compile(r"^(?P<kind>[a-z-]{1,20}):[0-9]{1,10}$")
MAX_CHARS = 5000
MAX_DRAFTS = 20  # per user: a new one beyond this replaces the oldest (the key names no checked object)


def kind_of(key: str) -> str | None:
    match = KEY.match(key)
    return match["kind"] if match and match["kind"] in FIELDS else None


def save(actor: User, key: str, posted: Mapping[str, str]) -> FormDraft | None:
    """Keep the named fields' text (an all-empty form drops the draft); None for an unknown form."""
    kind = kind_of(key)
    if kind is None:
        return None
    fields = {name: str(posted.get(name, ""))[:MAX_CHARS] for name in FIELDS[kind]}
    row = db.session.scalar(select(FormDraft).where(FormDraft.user_id == actor.id, FormDraft.form_key == key))
    if not any(value.strip() for value in fields.values()):
        if row is not None:
            db.session.delete(row)
        return None
    if row is None:
        _make_room(actor)
        row = FormDraft(user_id=actor.id, form_key=key, fields=fields)
        db.session.add(row)
    else:
        row.fields = fields
    db.session.flush()
    return row


def _make_room(actor: User) -> None:
    kept = list(db.session.scalars(select(FormDraft.id).where(FormDraft.user_id == actor.id)
                                   .order_by(FormDraft.updated_at.desc(), FormDraft.id.desc())))
    if len(kept) >= MAX_DRAFTS:
        db.session.execute(delete(FormDraft).where(FormDraft.id.in_(kept[MAX_DRAFTS - 1:])))


def load(actor: User, key: str) -> dict[str, str]:
    row = db.session.scalar(select(FormDraft).where(FormDraft.user_id == actor.id, FormDraft.form_key == key))
    return dict(row.fields) if row is not None else {}


def clear(actor: User, key: str) -> None:
    """The form was sent: its draft goes."""
    db.session.execute(delete(FormDraft).where(FormDraft.user_id == actor.id, FormDraft.form_key == key))


def prefill(form: Form, actor: User, key: str) -> None:
    """A form opened afresh (not sent) shows its draft's text."""
    if form.is_submitted():
        return
    saved = load(actor, key)
    for field in form:
        if field.name in saved:
            field.data = saved[field.name]
