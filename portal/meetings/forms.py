"""The meeting-record form: one screen, prefilled, so that recording takes well under a minute."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.i18n import _, _l
from portal.meetings.labels import LABELS
from portal.meetings.models import NOTE_MAX, Contact, ContactOutcome, ContactStatus
from portal.meetings.operations import MAX_MINUTES, ContactRecord, RecordError
from portal.meetings.queries import Prefill
from portal.programmes.definitions_schema import Modality, SupportType
from portal.scheduling.forms import require_existing_local_time
from portal.scheduling.timeutil import as_helsinki, local
from portal.web.forms import BoundedDateField, CheckboxesField

# The order a worker thinks in: it happened, it was called off, the client did not come.
STATUS_LABELS = {ContactStatus.HELD: _l("Held"), ContactStatus.CANCELLED: _l("Cancelled"),
                 ContactStatus.NO_SHOW: _l("The client did not come")}
YES, NO = "yes", "no"


class MinutesField(IntegerField):
    """Whole minutes, with a message that says how to write them (WTForms' own only says "not valid")."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Write the length as whole minutes, for example 45.")) from None


class RecordForm(FlaskForm):
    status = RadioField(_l("What happened?"), choices=[], validate_choice=False)
    modality = SelectField(_l("Way of meeting"), choices=[], validate_choice=False)
    day = BoundedDateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    start = TimeField(_l("Started at"), validators=[InputRequired(message=_l("Enter the time."))])
    minutes = MinutesField(_l("Length in minutes"), validators=[
        InputRequired(message=_l("Enter the length in minutes.")),
        NumberRange(1, MAX_MINUTES, message=_l("Enter a length between %(min)s and %(max)s minutes."))])
    # validate_choice off: unknown values reach the operation, which refuses them with its own message.
    support_types = CheckboxesField(_l("Support given"), choices=[], validate_choice=False)
    worked_remotely = RadioField(_l("Did the support work remotely?"), choices=[], validate_choice=False)
    # Only for programmes that count outcomes (removed from the form otherwise, see __init__).
    outcome = RadioField(_l("How did the contact end?"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), render_kw={"rows": 2, "maxlength": NOTE_MAX}, validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("Please write the note in at most %(max)s characters."))])

    def __init__(self, modalities: Sequence[Modality], support: Sequence[SupportType], locale: str,
                 start: Prefill, outcomes: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if outcomes:
            self.outcome.choices = [SelectChoice(o.value, LABELS[o]) for o in ContactOutcome]
        else:
            delattr(self, "outcome")
        self.status.choices = [SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()]
        self.modality.choices = [SelectChoice(m.value, LABELS[m]) for m in modalities]
        self.support_types.choices = [SelectChoice(s.code, s.name.get(locale)) for s in support]
        self.worked_remotely.choices = [SelectChoice(YES, _("Yes")), SelectChoice(NO, _("No"))]
        if not self.is_submitted():
            self._fill(start)

    def _fill(self, start: Prefill) -> None:
        moment = as_helsinki(start.starts_at)
        self.status.data, self.modality.data = start.status.value, start.modality.value
        self.day.data, self.minutes.data = moment.date(), start.minutes
        self.start.data = moment.time().replace(second=0, microsecond=0, tzinfo=None)

    def fill_record(self, contact: Contact) -> None:
        """Show what an earlier record said (the worker is correcting it)."""
        if not self.is_submitted():
            self.support_types.data = list(contact.support_types)
            remote = contact.worked_remotely
            self.worked_remotely.data = None if remote is None else (YES if remote else NO)
            self.note.data = contact.note
            if "outcome" in self and contact.outcome is not None:
                self.outcome.data = contact.outcome.value

    def validate_status(self, field) -> None:
        if field.data not in {s.value for s in ContactStatus}:
            raise ValidationError(_("Choose what happened."))

    def validate_modality(self, field) -> None:
        if field.data not in {choice.value for choice in self.modality.choices}:
            raise ValidationError(_("Choose one of the ways of meeting offered."))

    def validate_outcome(self, field) -> None:
        if self.held and field.data not in {o.value for o in ContactOutcome}:
            raise ValidationError(_("Choose how the contact ended."))

    def validate_start(self, field) -> None:
        require_existing_local_time(self.day.data, field.data)

    def validate_worked_remotely(self, field) -> None:
        if field.data not in (None, "", YES, NO):
            raise ValidationError(_("Answer yes or no."))
        if self.held and self.remote and field.data not in (YES, NO):
            raise ValidationError(_("Tell whether the support worked remotely."))

    @property
    def held(self) -> bool:
        return self.status.data == ContactStatus.HELD.value

    @property
    def remote(self) -> bool:
        """Whether the way of meeting now chosen (or prefilled) is remote: then the form asks the question."""
        try:
            return Modality(self.modality.data).remote
        except ValueError:
            return False

    def refuse(self, exc: RecordError) -> None:
        """Show the operation's refusal on the field it is about, or above the form."""
        if exc.field in self:
            self[exc.field].errors = [*self[exc.field].errors, str(exc)]
        else:
            self.form_errors.append(str(exc))

    def validate(self, extra_validators=None) -> bool:
        if self.status.data in {s.value for s in ContactStatus} and not self.held:
            # A meeting that did not take place keeps its booked times: blank ones are no error.
            for time_field in (self.day, self.start, self.minutes):
                time_field.validators = [Optional()]
        return super().validate(extra_validators)

    def contact_record(self, booked: tuple[datetime, datetime]) -> ContactRecord:
        """What to save, from a validated form (times in Helsinki wall-clock time; ``booked`` when not held)."""
        if self.held:
            starts_at = local(self.day.data, self.start.data)
            ends_at = starts_at + timedelta(minutes=self.minutes.data)
        else:
            starts_at, ends_at = booked
        return ContactRecord(
            status=ContactStatus(self.status.data), modality=Modality(self.modality.data), starts_at=starts_at,
            ends_at=ends_at,
            support_types=tuple(self.support_types.data or ()),
            worked_remotely={YES: True, NO: False}.get(self.worked_remotely.data), note=self.note.data,
            outcome=ContactOutcome(self.outcome.data) if "outcome" in self and self.held else None)
