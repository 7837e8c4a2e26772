from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.labels import LABELS
from portal.auth.models import Role
from portal.i18n import _l
from portal.web.forms import enum_choices


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Roles"), choices=enum_choices(Role, LABELS),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    active = BooleanField(_l("Account in use"))
