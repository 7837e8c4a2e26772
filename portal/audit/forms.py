from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.audit.labels import LABELS
from portal.audit.models import AuditAction
from portal.i18n import _l
from portal.web.forms import enum_choices

DIGITS = Regexp(r"^[1-9][0-9]{0,8}$", message=_l("Enter the number in digits, for example 42."))


class AuditSearchForm(FlaskForm):
    """A GET form: filters are in the URL, so no CSRF token is needed."""

    class Meta:
        csrf = False

    # Text fields, not number inputs: a mistyped value comes back as typed, with one clear message.
    client_id = StringField(_l("Client number"), validators=[Optional(), DIGITS], render_kw={"inputmode": "numeric"})
    actor_id = StringField(_l("User number"), validators=[Optional(), DIGITS], render_kw={"inputmode": "numeric"})
    action = SelectField(_l("Event"), choices=enum_choices(AuditAction, LABELS, _l("All events")),
                         validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)

    @staticmethod
    def number(field) -> int | None:
        return int(field.data) if field.data else None


class RevealNameForm(FlaskForm):
    """Break-glass for the pseudonymous audit search: the reason is kept and the reveal is itself audited."""

    reason = TextAreaField(_l("Why do you need the client's name?"), render_kw={"rows": 2, "maxlength": 500},
                           validators=[DataRequired(message=_l("Write why you need the client's name.")),
                                       Length(max=500)])
