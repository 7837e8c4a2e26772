"""The referral, consultation, answer and log-a-contact forms. They keep what was typed when refused."""

from __future__ import annotations

from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.db import utcnow
from portal.i18n import _, _l
from portal.meetings.labels import LABELS as MEETING_LABELS
from portal.meetings.models import NOTE_MAX, ContactOutcome
from portal.people.labels import LABELS as PEOPLE_LABELS
from portal.people.models import ClientLanguage, Gender
from portal.programmes.definitions_schema import Modality, ProgrammeDefinition
from portal.referrals import operations
from portal.referrals.labels import LABELS
from portal.referrals.models import ANSWER_MAX, SITUATION_MAX, ConsentBy, ConsentHow, ReferralKind, Urgency
from portal.referrals.operations import Consent, Draft, LoggedContact, Person, ReferralError
from portal.scheduling.forms import require_existing_local_time
from portal.scheduling.timeutil import local
from portal.web.forms import BoundedDateField

YES, NO = "yes", "no"
MAX_MINUTES = 720


def _choices(members) -> list[SelectChoice]:
    return [SelectChoice(m.value, LABELS[m]) for m in members]


def _yes_no() -> list[SelectChoice]:
    return [SelectChoice(YES, _("Yes")), SelectChoice(NO, _("No"))]


class _Refusable:
    def refuse(self, exc: ReferralError) -> None:
        """Show the operation's refusal on the field it is about, or above the form."""
        if exc.field in self:
            self[exc.field].errors = [*self[exc.field].errors, str(exc)]
        else:
            self.form_errors.append(str(exc))


class _Sending(_Refusable, FlaskForm):
    unit = SelectField(_l("Health social work unit"), choices=[], validate_choice=False)
    urgency = RadioField(_l("How urgent is it?"), choices=[], validate_choice=False)
    situation = TextAreaField(_l("The situation"), render_kw={"rows": 5, "maxlength": SITUATION_MAX}, validators=[
        InputRequired(message=_l("Describe the situation.")),
        Length(max=SITUATION_MAX, message=_l("Please describe the situation in at most %(max)s characters."))])

    def __init__(self, units, **kwargs) -> None:
        super().__init__(**kwargs)
        self.unit.choices = [SelectChoice(str(u.id), u.name(_locale())) for u in units]
        self.urgency.choices = _choices(Urgency)
        if not self.is_submitted():
            self.urgency.data = Urgency.NORMAL.value

    def validate_urgency(self, field) -> None:
        if field.data not in {u.value for u in Urgency}:
            raise ValidationError(_("Choose how urgent it is."))

    @property
    def unit_id(self) -> int | None:
        return int(self.unit.data) if (self.unit.data or "").isdigit() else None


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale())


class ReferralForm(_Sending):
    first_name = StringField(_l("First name"), validators=[InputRequired(message=_l("Enter the first name.")),
                                                            Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[InputRequired(message=_l("Enter the last name.")),
                                                          Length(max=100)])
    birth_year = IntegerField(_l("Year of birth"), validators=[
        InputRequired(message=_l("Enter the year of birth, for example 1958.")),
        NumberRange(1900, 2100, message=_l("Enter the year of birth, for example 1958."))])
    gender = SelectField(_l("Gender"), choices=[], validate_choice=False)
    municipality = SelectField(_l("Municipality of residence"), choices=[], validate_choice=False)
    language = SelectField(_l("Language of service"), choices=[], validate_choice=False)
    phone = StringField(_l("Phone number (optional)"), validators=[Optional(), Length(max=32)])
    pensioner = RadioField(_l("Does the client receive a pension?"), choices=[], validate_choice=False)
    social_welfare_client = RadioField(_l("Is the client already a social-welfare client?"), choices=[],
                                       validate_choice=False)
    consent_by = RadioField(_l("Who consented?"), choices=[], validate_choice=False)
    consent_on = BoundedDateField(_l("Date of consent"), validators=[Optional()])
    consent_how = RadioField(_l("How was consent given?"), choices=[], validate_choice=False)

    def __init__(self, units, municipalities, **kwargs) -> None:
        super().__init__(units, **kwargs)
        locale = _locale()
        self.gender.choices = [SelectChoice(g.value, PEOPLE_LABELS[g]) for g in Gender]
        self.municipality.choices = [SelectChoice(m.code, m.name(locale)) for m in municipalities]
        self.language.choices = [SelectChoice(v.value, PEOPLE_LABELS[v]) for v in ClientLanguage]
        self.pensioner.choices = self.social_welfare_client.choices = _yes_no()
        self.consent_by.choices, self.consent_how.choices = _choices(ConsentBy), _choices(ConsentHow)

    def validate_pensioner(self, field) -> None:
        if field.data not in (YES, NO):
            raise ValidationError(_("Answer yes or no: the unit's statistics need it."))

    validate_social_welfare_client = validate_pensioner

    def validate_gender(self, field) -> None:
        if field.data not in {g.value for g in Gender}:
            raise ValidationError(_("Choose one of the options."))

    def validate_language(self, field) -> None:
        if field.data not in {v.value for v in ClientLanguage}:
            raise ValidationError(_("Choose one of the options."))

    def validate_municipality(self, field) -> None:
        if field.data not in {c.value for c in self.municipality.choices}:
            raise ValidationError(_("Choose one of the options."))

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks and the operation's input rules together: every error at once, not one
        more on each try (the consent parts, the age); the operation still has the last word."""
        valid = super().validate(extra_validators)
        today = utcnow().date()
        consent = Consent(by=_member(ConsentBy, self.consent_by.data), on=self.consent_on.data,
                          how=_member(ConsentHow, self.consent_how.data))
        refusals = [r for r in operations.consent_refusals(consent, today)
                    if not (r.field == "consent_on" and self.consent_on.errors)]
        too_young = operations.age_refusal(self.birth_year.data if not self.birth_year.errors else None, today)
        for refusal in [*refusals, *([too_young] if too_young else [])]:
            self.refuse(refusal)
        self._errors = None  # recomputed with the errors added here
        return valid and not refusals and too_young is None

    def draft(self) -> Draft:
        """What to send; missing consent parts stay None so that the operation names them."""
        person = Person(
            first_name=self.first_name.data, last_name=self.last_name.data, birth_year=self.birth_year.data,
            gender=Gender(self.gender.data), municipality_code=self.municipality.data,
            language=ClientLanguage(self.language.data), pensioner=self.pensioner.data == YES,
            social_welfare_client=self.social_welfare_client.data == YES, phone=self.phone.data)
        consent = Consent(by=_member(ConsentBy, self.consent_by.data), on=self.consent_on.data,
                          how=_member(ConsentHow, self.consent_how.data))
        return Draft(kind=ReferralKind.REFERRAL, unit_id=self.unit_id, urgency=Urgency(self.urgency.data),
                     situation=self.situation.data, person=person, consent=consent)


def _member(enum_class, value):
    try:
        return enum_class(value)
    except ValueError:
        return None


class ConsultationForm(_Sending):
    first_name = StringField(_l("First name (optional)"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Last name (optional)"), validators=[Optional(), Length(max=100)])
    birth_year = IntegerField(_l("Year of birth (optional)"), validators=[
        Optional(), NumberRange(1900, 2100, message=_l("Enter the year of birth, for example 1958."))])

    def draft(self) -> Draft:
        return Draft(kind=ReferralKind.CONSULTATION, unit_id=self.unit_id, urgency=Urgency(self.urgency.data),
                     situation=self.situation.data,
                     name=(self.first_name.data or "", self.last_name.data or "", self.birth_year.data))


NEW_CLIENT = "new"


class AcceptForm(_Refusable, FlaskForm):
    client = RadioField(_l("Who is the client?"), choices=[], validate_choice=False)

    def __init__(self, candidates, **kwargs) -> None:
        super().__init__(**kwargs)
        self.client.choices = [
            *(SelectChoice(str(c.id), _("%(name)s, born %(year)s, %(place)s", name=c.full_name, year=c.birth_year,
                                        place=c.municipality.name(_locale()))) for c in candidates),
            SelectChoice(NEW_CLIENT, _("A new client, from the referral's details"))]
        if not self.is_submitted():
            self.client.data = NEW_CLIENT if not candidates else None

    def validate_client(self, field) -> None:
        if field.data not in {c.value for c in self.client.choices}:
            raise ValidationError(_("Choose the client from the list, or a new client."))

    @property
    def client_id(self) -> int | None:
        return None if self.client.data == NEW_CLIENT else int(self.client.data)


class AnswerForm(_Refusable, FlaskForm):
    answer = TextAreaField(_l("Your answer"), render_kw={"rows": 5, "maxlength": ANSWER_MAX}, validators=[
        InputRequired(message=_l("Write the answer.")),
        Length(max=ANSWER_MAX, message=_l("Please write the answer in at most %(max)s characters."))])


class ContactForm(_Refusable, FlaskForm):
    """A contact without an appointment: the channel comes from the kind of contact's ways of meeting."""

    channel = RadioField(_l("Channel"), choices=[], validate_choice=False)
    day = BoundedDateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    start = TimeField(_l("Time"), validators=[InputRequired(message=_l("Enter the time."))])
    minutes = IntegerField(_l("Length in minutes"), validators=[
        InputRequired(message=_l("Enter the length in minutes.")),
        NumberRange(1, MAX_MINUTES, message=_l("Enter a length between %(min)s and %(max)s minutes."))])
    outcome = RadioField(_l("How did the contact end?"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), render_kw={"rows": 2, "maxlength": NOTE_MAX}, validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("Please write the note in at most %(max)s characters."))])

    def __init__(self, definition: ProgrammeDefinition, now_local, **kwargs) -> None:
        super().__init__(**kwargs)
        self._types = {}
        for ctype in definition.contact_types:
            for modality in ctype.modalities:
                self._types.setdefault(modality, ctype)
        self.channel.choices = [SelectChoice(m.value, MEETING_LABELS[m]) for m in self._types]
        self.outcome.choices = [SelectChoice(o.value, MEETING_LABELS[o]) for o in ContactOutcome]
        if not self.is_submitted():
            self.channel.data = Modality.PHONE.value if Modality.PHONE in self._types else None
            self.day.data, self.minutes.data = now_local.date(), 15
            self.start.data = (now_local - timedelta(minutes=15)).time().replace(second=0, microsecond=0,
                                                                                 tzinfo=None)

    def validate_channel(self, field) -> None:
        if field.data not in {m.value for m in self._types}:
            raise ValidationError(_("Choose the channel."))

    def validate_outcome(self, field) -> None:
        if field.data not in {o.value for o in ContactOutcome}:
            raise ValidationError(_("Choose how the contact ended."))

    def validate_start(self, field) -> None:
        require_existing_local_time(self.day.data, field.data)

    def entry(self) -> LoggedContact:
        modality = Modality(self.channel.data)
        return LoggedContact(contact_type=self._types[modality].code, modality=modality,
                             starts_at=local(self.day.data, self.start.data), minutes=self.minutes.data,
                             outcome=ContactOutcome(self.outcome.data), note=self.note.data)
