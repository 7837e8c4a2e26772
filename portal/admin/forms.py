from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.labels import LABELS
from portal.auth.models import JobTitle, Role
from portal.i18n import LANGUAGE_NAMES, _l
from portal.web.forms import CheckboxesField, enum_choices

PHONE = r"^\+?[0-9 ()-]{5,31}$"


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Roles"), choices=enum_choices(Role, LABELS),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    active = BooleanField(_l("Account in use"))


class StaffForm(FlaskForm):
    """A staff account's details; unit choices are set by the route from the units that exist."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                               render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(), Length(max=254), Email(_l("Type an email address, e.g. name@example.fi."))],
                       render_kw={"autocomplete": "off"})
    phone = TelField(_l("Phone number"), validators=[Optional(), Length(max=32), Regexp(
        PHONE, message=_l("Type a phone number with digits, e.g. +358 40 123 4567."))], render_kw={"autocomplete": "off"})
    job_title = SelectField(_l("Job title"), choices=enum_choices(JobTitle, LABELS, blank_label=_l("Choose")),
                            validators=[DataRequired(_l("Choose a job title."))])
    locale = SelectField(_l("Language"), choices=[SelectChoice(c, n) for c, n in LANGUAGE_NAMES.items()],
                         default="fi")
    roles = CheckboxesField(_l("Roles"), choices=enum_choices(Role, LABELS),
                            validators=[DataRequired(_l("Choose at least one role."))])
    units = CheckboxesField(_l("Units"), coerce=int, choices=[])
    oidc_only = BooleanField(_l("Signs in only through the organisation's identity provider (no Silta password)"))
