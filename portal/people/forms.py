from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional, Regexp

from portal.i18n import _l
from portal.people.labels import LABELS
from portal.people.models import ClientLanguage, ContactChannel, DiagnosisGroup
from portal.people.preferences import DAY_PART_LABELS, WEEKDAYS
from portal.web.forms import CheckboxesField, enum_choices

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
    preferred_weekdays = CheckboxesField(_l("Good days for meetings (none chosen: any weekday)"), coerce=int,
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
