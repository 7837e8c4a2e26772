from __future__ import annotations

from datetime import date

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from portal.i18n import _l
from portal.people import identity
from portal.people.labels import LABELS
from portal.people.models import ClientLanguage, ContactChannel, DiagnosisGroup, Gender
from portal.people.preferences import DAY_PART_LABELS, WEEKDAYS
from portal.web.forms import BoundedDateField, CheckboxesField, bounded_id, enum_choices

BIRTH_DATE_RANGE = _l("The date of birth must be between 1900 and today.")
PHONE = Regexp(r"^\+?[0-9 ()-]{5,20}$", message=_l("Enter a phone number with digits only, e.g. +358 40 123 4567."))


def _optional_str(value) -> str:
    return "" if value is None else str(value)


class ContactDetailsForm(FlaskForm):
    """What a client may change about themselves."""

    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=32), PHONE],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    email = EmailField(_l("Email address"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    address = TextAreaField(_l("Home address"), validators=[Optional(), Length(max=500)],
                            render_kw={"autocomplete": "street-address", "rows": 3})
    preferred_channel = SelectField(_l("How should we contact you?"),
                                    choices=enum_choices(ContactChannel, LABELS))
    prefers_home_visits = BooleanField(_l("I would rather meet at home than by video"))
    contact_notes = TextAreaField(_l("Anything else about contacting you (for example good times to call)"),
                                  validators=[Optional(), Length(max=1000)], render_kw={"rows": 3})
    preferred_weekdays = CheckboxesField(_l("Good days for meetings (none chosen: any weekday)"), coerce=bounded_id,
                                         choices=[])
    preferred_day_parts = CheckboxesField(_l("Good times of day for meetings (none chosen: any time)"),
                                          choices=[SelectChoice(key, label) for key, label in DAY_PART_LABELS.items()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = get_day_names("wide", locale=str(get_locale()))
        self.preferred_weekdays.choices = [SelectChoice(day, names[day].capitalize()) for day in WEEKDAYS]


class BackgroundForm(ContactDetailsForm):
    """What the worker keeps: contact details plus the background data the programmes report on."""

    municipality_code = SelectField(_l("Municipality"), choices=[])
    language = SelectField(_l("Language of service"), choices=enum_choices(ClientLanguage, LABELS))
    pensioner = BooleanField(_l("Receives a pension"))
    social_welfare_client = BooleanField(_l("Already a social-welfare client elsewhere"))
    diagnosis_group = SelectField(_l("Diagnosis group (where the programme records it)"),
                                  choices=enum_choices(DiagnosisGroup, LABELS, _l("Not recorded")),
                                  coerce=_optional_str)


class RegistrationForm(FlaskForm):
    """A new client: who they are, how to reach them, and (after a name match) whether they are someone known."""

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)],
                             render_kw={"autocomplete": "off"})
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)],
                            render_kw={"autocomplete": "off"})
    identity_code = StringField(_l("Personal identity code (optional)"), validators=[Optional(), Length(max=20)],
                                render_kw={"autocomplete": "off", "spellcheck": "false"})
    birth_date = BoundedDateField(_l("Date of birth"), validators=[Optional()], out_of_range=BIRTH_DATE_RANGE)
    birth_year = IntegerField(_l("Year of birth (when the date is not known)"),
                              validators=[Optional(), NumberRange(min=1900, max=2100)])
    gender = SelectField(_l("Gender"), choices=enum_choices(Gender, LABELS, _l("From the identity code, or not told")),
                         coerce=_optional_str)
    unit_id = SelectField(_l("Unit"), coerce=bounded_id, choices=[])
    municipality_code = SelectField(_l("Municipality"), choices=[])
    language = SelectField(_l("Language of service"), choices=enum_choices(ClientLanguage, LABELS))
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=32), PHONE],
                        render_kw={"autocomplete": "off", "inputmode": "tel"})
    email = EmailField(_l("Email address"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
                       render_kw={"autocomplete": "off"})
    address = TextAreaField(_l("Home address"), validators=[Optional(), Length(max=500)],
                            render_kw={"autocomplete": "off", "rows": 3})
    preferred_channel = SelectField(_l("Prefers to be contacted by"), choices=enum_choices(ContactChannel, LABELS))
    # The "is this the same person?" step: "existing-<id>" or "new"; empty until a match was shown.
    same_person = RadioField(_l("Is this the same person?"), choices=[], validate_choice=False)
    duplicate_reason = TextAreaField(_l("Why is this a different person? (when creating a new client anyway)"),
                                     validators=[Optional(), Length(max=500)], render_kw={"rows": 2})

    parsed_code: identity.IdentityCode | None = None

    def validate_identity_code(self, field) -> None:
        self.parsed_code = None
        if field.data and field.data.strip():
            try:
                self.parsed_code = identity.parse(field.data)
            except identity.InvalidIdentityCode as exc:
                raise ValidationError(str(exc.message)) from None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok:
            return False
        born = self.parsed_code.birth_date if self.parsed_code else self.birth_date.data
        if self.parsed_code and self.birth_date.data and self.birth_date.data != born:
            self.birth_date.errors.append(_l("The date of birth does not match the identity code."))
        elif born is None and self.birth_year.data is None:
            self.birth_year.errors.append(_l("Enter the identity code, the date of birth or at least the year."))
        elif born is not None and not 1900 <= born.year <= date.today().year:
            self.birth_date.errors.append(BIRTH_DATE_RANGE)
        return not (self.birth_date.errors or self.birth_year.errors)

    def born(self) -> tuple[date | None, int]:
        """The birth date (when known) and year, from the code first."""
        born = self.parsed_code.birth_date if self.parsed_code else self.birth_date.data
        return born, born.year if born else self.birth_year.data

    def chosen_gender(self) -> Gender:
        if self.gender.data:
            return Gender(self.gender.data)
        return self.parsed_code.gender if self.parsed_code else Gender.UNKNOWN


class IdentityCodeForm(FlaskForm):
    """A known client's identity code, entered later (or again)."""

    identity_code = StringField(_l("Personal identity code"), validators=[DataRequired(), Length(max=20)],
                                render_kw={"autocomplete": "off", "spellcheck": "false"})

    parsed_code: identity.IdentityCode | None = None

    def validate_identity_code(self, field) -> None:
        try:
            self.parsed_code = identity.parse(field.data)
        except identity.InvalidIdentityCode as exc:
            raise ValidationError(str(exc.message)) from None


class ActivationChannelForm(FlaskForm):
    """How the worker hands the client their activation code."""

    channel = RadioField(_l("Send the activation code"), validators=[InputRequired()], choices=[
        SelectChoice("sms", _l("By text message to the client's phone")),
        SelectChoice("email", _l("By email to the client's address")),
        SelectChoice("letter", _l("On a letter I print and hand over")),
    ])


class ActivationForm(FlaskForm):
    """The client's activation page: the code, the birth date as a second factor, their login and password."""

    code = StringField(_l("Activation code"), validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "one-time-code", "spellcheck": "false",
                                  "autocapitalize": "characters"})
    birth_date = BoundedDateField(_l("Your date of birth"), validators=[InputRequired()],
                                  render_kw={"autocomplete": "bday"})
    email = EmailField(_l("Your email address (you sign in with it)"),
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})
