"""Intake's forms. Rules that need the database (duplicates, capacity, who signs) live in operations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from portal.i18n import _l
from portal.intake.labels import LABELS
from portal.intake.models import STAFF_CHANNELS, DecisionOutcome, HousingServiceType, IntakeChannel
from portal.intake.operations import PersonDetails
from portal.web.forms import BoundedDateField, CheckboxesField, bounded_id

YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


class PersonForm(FlaskForm):
    """The person and the need: shared by the client's request and the staff's entry."""

    municipality_code = SelectField(_l("Municipality"), validators=[
        InputRequired(message=_l("Choose the municipality."))])
    first_name = StringField(_l("First name"), validators=[
        InputRequired(message=_l("Give the first name.")), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[
        InputRequired(message=_l("Give the last name.")), Length(max=100)])
    birth_year = IntegerField(_l("Year of birth"), validators=[
        Optional(), NumberRange(1900, 2100, message=_l("Give a year between %(min)s and %(max)s."))])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    email = StringField(_l("Email"), validators=[Optional(), Email(message=_l("Check the email address.")),
                                                  Length(max=254)])
    description = TextAreaField(_l("What kind of help with housing is needed?"), render_kw={"rows": 5}, validators=[
        InputRequired(message=_l("Describe the need for housing services.")), Length(max=5000)])
    highest_care_allowance = BooleanField(_l("Receives the highest care allowance (Kela)"))

    def __init__(self, municipalities: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        choices = [SelectChoice(code, name) for code, name in municipalities]
        self.municipality_code.choices = [SelectChoice("", _l("Choose…")), *choices]

    def details(self, language: str) -> PersonDetails:
        kept = _within_limits
        return PersonDetails(
            municipality_code=kept(self.municipality_code) or None, first_name=kept(self.first_name) or "",
            last_name=kept(self.last_name) or "", birth_year=kept(self.birth_year), phone=kept(self.phone) or None,
            email=kept(self.email) or None, language=language, description=kept(self.description) or "",
            highest_care_allowance=bool(self.highest_care_allowance.data))


class RequestForm(PersonForm):
    """The client's own service request: a draft may be incomplete, sending checks everything."""


class StaffItemForm(PersonForm):
    channel = SelectField(_l("How did the contact come?"))
    received_on = BoundedDateField(_l("Date received"),
                                   validators=[InputRequired(message=_l("Give the date received."))])
    notifier_name = StringField(_l("Notifier's name"), validators=[Optional(), Length(max=200)])
    notifier_organisation = StringField(_l("Notifier's organisation"), validators=[Optional(), Length(max=200)])
    notifier_phone = StringField(_l("Notifier's phone"), validators=[Optional(), Length(max=32)])
    person_informed = RadioField(_l("Was the person told about this notification?"), choices=YES_NO,
                                 validators=[Optional()])
    person_consented = RadioField(_l("Did the person agree to it?"), choices=YES_NO, validators=[Optional()])

    def __init__(self, municipalities, channels: list[IntakeChannel], **kwargs) -> None:
        super().__init__(municipalities, **kwargs)
        self.channel.choices = [SelectChoice(c.value, LABELS[c]) for c in channels]

    def details(self, language: str) -> PersonDetails:
        details = super().details(language)
        details.notifier_name = self.notifier_name.data or None
        details.notifier_organisation = self.notifier_organisation.data or None
        details.notifier_phone = self.notifier_phone.data or None
        details.person_informed = _yes_no(self.person_informed.data)
        details.person_consented = _yes_no(self.person_consented.data)
        return details


def _within_limits(field):
    """The field's value within its own limits: a draft is saved unvalidated, and a year past the column's
    range (or a text past its length) failed in the database instead of waiting for the sending's check."""
    value = field.data
    if isinstance(field, SelectField) and value not in {str(choice[0]) for choice in field.iter_choices()}:
        return None  # not one of the choices (a municipality code is three characters in the database)
    for validator in field.validators:
        if isinstance(validator, Length) and isinstance(value, str) and validator.max >= 0:
            value = value[:validator.max]
        elif isinstance(validator, NumberRange) and value is not None and not validator.min <= value <= validator.max:
            value = None
    return value


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def channels_for(is_casework: bool) -> list[IntakeChannel]:
    """A referrer makes §35 notifications only; case workers also enter phone, paper and visit contacts."""
    return [IntakeChannel.notification_35, *STAFF_CHANNELS] if is_casework else [IntakeChannel.notification_35]


class AssessmentForm(FlaskForm):
    worker_id = SelectField(_l("Assessing worker"), coerce=bounded_id)
    started_on = BoundedDateField(_l("Started on"), validators=[Optional()])
    completed_on = BoundedDateField(_l("Completed on"), validators=[Optional()])
    summary = TextAreaField(_l("Summary for the decision meeting"), render_kw={"rows": 6}, validators=[
        Length(max=5000)])
    client_summary = TextAreaField(_l("Summary for the client"), render_kw={"rows": 4}, validators=[
        Length(max=5000)])

    def area_fields(self, code: str) -> tuple:
        return self[f"area-{code}-worker"], self[f"area-{code}-client"]

    def areas(self, codes: list[str]) -> dict[str, tuple[str | None, str | None]]:
        return {code: tuple(f.data for f in self.area_fields(code)) for code in codes}


def assessment_form(codes: list[str], row) -> AssessmentForm:
    """The assessment form with a pair of texts for each configured area (seed 001's structured recording)."""

    class Form(AssessmentForm):
        pass

    for code in codes:
        setattr(Form, f"area-{code}-worker", TextAreaField(_l("The worker's assessment"), render_kw={"rows": 3},
                                                           validators=[Length(max=5000)]))
        setattr(Form, f"area-{code}-client", TextAreaField(_l("The client's own view, in their words"),
                                                           render_kw={"rows": 3}, validators=[Length(max=5000)]))
    form = Form(obj=row)
    if not form.is_submitted():
        for area in row.areas:
            if area.area_code in codes:
                worker, client = form.area_fields(area.area_code)
                worker.data, client.data = area.worker_view, area.client_view
    return form


class AttendanceForm(FlaskForm):
    attendees = CheckboxesField(_l("Who attended"), coerce=bounded_id, validate_choice=False)


class BookSlotForm(FlaskForm):
    enrolment_id = SelectField(_l("Client"), coerce=bounded_id, validate_choice=False)
    estimated_minutes = IntegerField(_l("Time needed (minutes)"), default=10, validators=[
        InputRequired(message=_l("Estimate the time needed.")),
        NumberRange(1, 120, message=_l("Estimate between %(min)s and %(max)s minutes."))])


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=[SelectChoice(o.value, LABELS[o]) for o in DecisionOutcome])
    service_type = SelectField(_l("Housing service granted"), choices=[
        SelectChoice("", _l("None (not granted)")),
        *[SelectChoice(t.value, LABELS[t]) for t in HousingServiceType]])
    actual_minutes = IntegerField(_l("Minutes actually used"), validators=[
        Optional(), NumberRange(0, 480, message=_l("Give the minutes used as a number from 0 to 480."))])


class DecisionForm(FlaskForm):
    body = TextAreaField(_l("Decision text"), render_kw={"rows": 16}, validators=[
        InputRequired(message=_l("The decision text cannot be empty.")), Length(max=20000)])


class PlainForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
