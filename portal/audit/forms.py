from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from portal.audit.labels import LABELS
from portal.audit.models import AuditAction
from portal.i18n import _l
from portal.web.forms import enum_choices


class AuditSearchForm(FlaskForm):
    """A GET form: filters are in the URL, so no CSRF token is needed."""

    class Meta:
        csrf = False

    client_id = IntegerField(_l("Client number"), validators=[Optional(), NumberRange(min=1)])
    actor_id = IntegerField(_l("User number"), validators=[Optional(), NumberRange(min=1)])
    action = SelectField(_l("Event"), choices=enum_choices(AuditAction, LABELS, _l("All events")),
                         validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)
