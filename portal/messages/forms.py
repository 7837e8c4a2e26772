"""The message forms: a new thread, a reply (each with one optional attachment), a callback request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.i18n import _l
from portal.messages.models import MAX_BODY, MAX_SUBJECT

ATTACHMENT_HINT = _l("Optional: one picture (PNG, JPEG, WebP) or PDF file, at most 5 MB.")


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Message"), render_kw={"rows": 5, "maxlength": MAX_BODY}, validators=[
        InputRequired(message=_l("Write your message.")), Length(max=MAX_BODY)])
    attachment = FileField(_l("Attachment"), render_kw={"accept": "image/png,image/jpeg,image/webp,application/pdf"})


class NewThreadForm(ReplyForm):
    subject = StringField(_l("Subject"), render_kw={"maxlength": MAX_SUBJECT}, validators=[
        InputRequired(message=_l("Write a subject.")), Length(max=MAX_SUBJECT)])


class CallbackForm(FlaskForm):
    preferred_times = TextAreaField(_l("When would a call suit you?"), render_kw={"rows": 2, "maxlength": 300},
                                    validators=[InputRequired(message=_l("Write when a call would suit you.")),
                                                Length(max=300)])
    phone = StringField(_l("Phone number to call"), render_kw={"autocomplete": "tel", "maxlength": 32},
                        validators=[Optional(), Length(max=32)])
