from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, TelField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from portal.auth.labels import LABELS
from portal.auth.models import JobTitle, Role
from portal.i18n import LANGUAGE_NAMES, _l
from portal.web.forms import CheckboxesField, bounded_id, enum_choices

PHONE = r"^\+?[0-9 ()-]{5,31}$"


class StaffForm(FlaskForm):
    """A staff account's details; unit choices are set by the route from the units that exist."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                               render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(), Length(max=254),
                                   Email(_l("Type an email address, e.g. name@example.fi."))],
                       render_kw={"autocomplete": "off"})
    phone = TelField(_l("Phone number"), validators=[Optional(), Length(max=32), Regexp(
        PHONE, message=_l("Type a phone number with digits, e.g. +358 40 123 4567."))],
        render_kw={"autocomplete": "off"})
    job_title = SelectField(_l("Job title"), choices=enum_choices(JobTitle, LABELS, blank_label=_l("Choose")),
                            validators=[DataRequired(_l("Choose a job title."))])
    locale = SelectField(_l("Language"), choices=[SelectChoice(c, n) for c, n in LANGUAGE_NAMES.items()],
                         default="fi")
    roles = CheckboxesField(_l("Roles"), choices=enum_choices(Role, LABELS),
                            validators=[DataRequired(_l("Choose at least one role."))])
    units = CheckboxesField(_l("Units"), coerce=bounded_id, choices=[])
    oidc_only = BooleanField(_l("Signs in only through the organisation's identity provider (no Silta password)"))


class MunicipalityForm(FlaskForm):
    code = StringField(_l("Municipality code"), validators=[DataRequired(), Length(max=3)],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})
    name_fi = StringField(_l("Name in Finnish"), validators=[DataRequired(), Length(max=80)])
    name_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(), Length(max=80)])


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)], render_kw={"autocomplete": "off"})
    name_fi = StringField(_l("Name in Finnish"), validators=[DataRequired(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    county = StringField(_l("Wellbeing services county"), validators=[DataRequired(), Length(max=120)])
    municipalities = CheckboxesField(_l("Municipalities served"), choices=[])
    # What clients see (portal/reach): the unit's phone and its weekday hours, and the message promise.
    phone = TelField(_l("Phone number for clients"), validators=[
        Optional(), Regexp(PHONE, message=_l("Type a phone number, e.g. 09 310 12345."))])
    phone_opens = TimeField(_l("Phone answered from (weekdays)"), validators=[Optional()])
    phone_closes = TimeField(_l("Phone answered until (weekdays)"), validators=[Optional()])
    reply_days = IntegerField(_l("Messages are read within (working days)"), default=2, validators=[
        Optional(), NumberRange(1, 10, _l("Type a number from 1 to 10."))])

    def validate(self, extra_validators=None) -> bool:
        """Both phone times or neither, the closing after the opening (checked here: Optional() would stop a
        field's own validator on the empty one)."""
        valid = super().validate(extra_validators)
        opens, closes = self.phone_opens.data, self.phone_closes.data
        if valid and (opens is None) != (closes is None):
            self.phone_closes.errors.append(_l("Give both times, or neither."))
            return False
        if valid and closes is not None and closes <= opens:
            self.phone_closes.errors.append(_l("The phone must close after it opens."))
            return False
        return valid


class HousingUnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    provider = StringField(_l("Service provider"), validators=[DataRequired(), Length(max=200)])
    municipality = SelectField(_l("Municipality"), choices=[], validators=[DataRequired()])
    service_type = SelectField(_l("Housing service"), choices=[], validators=[DataRequired()])
    places = IntegerField(_l("Places"), validators=[InputRequired(_l("Type the number of places.")),
                                                    NumberRange(1, 999, _l("Type a number from 1 to 999."))])
    staff = CheckboxesField(_l("Housing-unit logins that act for this unit"), coerce=bounded_id, choices=[])


class QueueKeepersForm(FlaskForm):
    coordinator = SelectField(_l("Coordinator"), choices=[])
    deputy = SelectField(_l("Deputy"), choices=[])
