from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from portal.audit.labels import LABELS
from portal.audit.models import AuditAction
from portal.i18n import _l


class AuditSearchForm(FlaskForm):
    """A GET form: filters are in the URL, so no CSRF token is needed."""

    class Meta:
        csrf = False

    client_id = IntegerField(_l("Client number"), validators=[Optional(), NumberRange(min=1)])
    actor_id = IntegerField(_l("User number"), validators=[Optional(), NumberRange(min=1)])
    action = SelectField(_l("Event"), choices=[("", _l("All events"))] + [(a.value, LABELS[a]) for a in AuditAction],
                         validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)
