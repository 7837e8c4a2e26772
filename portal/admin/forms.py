from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.labels import LABELS
from portal.auth.models import Role
from portal.i18n import _l


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Roles"), choices=[(r.value, LABELS[r]) for r in Role],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    active = BooleanField(_l("Account in use"))
