"""The booking and cancelling forms, and the calendar's address parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.auth.models import User
from portal.db import utcnow
from portal.i18n import _, _l
from portal.meetings.labels import LABELS
from portal.programmes.definitions_schema import ContactType, Modality, ProgrammeDefinition
from portal.programmes.models import Enrolment
from portal.scheduling import calendar, rules
from portal.scheduling.operations import BookingConflict, BookingRequest
from portal.scheduling.rules import BookingError
from portal.scheduling.timeutil import NonexistentLocalTime, as_helsinki, local, local_date
from portal.web.forms import FIRST_YEAR, LAST_YEAR, BoundedDateField
from portal.web.templating import local_date as date_text

MAX_WEEKS = 26
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLOT = "%Y-%m-%dT%H:%M"
# The rules' fixed messages, by the field they are about; the others show above the form.
_FIELD_OF_RULE = {"unknown_type": "contact_type", "modality": "modality", "length": "minutes", "past": "time",
                  "conflict": "time"}


class CalendarArgsError(ValueError):
    """The calendar's address has a date or view that cannot be shown; ``str()`` is translated."""


def calendar_args(args: Mapping[str, str], today: date) -> tuple[str, date]:
    """The view (day or week) and the date asked for in the address; today when no date is given."""
    view = args.get("view") or calendar.DAY
    if view not in calendar.VIEWS:
        raise CalendarArgsError(_("The calendar can show a day or a week."))
    raw = args.get("date")
    if not raw:
        return view, today
    try:
        day = date.fromisoformat(raw) if _ISO_DATE.match(raw) else None
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        raise CalendarArgsError(_("The date in the address is not valid. Write it as year-month-day, for example "
                                  "%(example)s.", example=today.isoformat()))
    return view, day


def bookable_types(definition: ProgrammeDefinition) -> list[ContactType]:
    """The contact types booked for one client; group sessions are booked with their members, elsewhere."""
    return [c for c in definition.contact_types if not c.group]


class BookingForm(FlaskForm):
    contact_type = SelectField(_l("Contact type"), choices=[])
    modality = SelectField(_l("Way of meeting"), choices=[])
    day = BoundedDateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    time = TimeField(_l("Time"), validators=[InputRequired(message=_l("Enter the time."))])
    minutes = IntegerField(_l("Length in minutes"),
                           validators=[Optional(), NumberRange(5, 480, message=rules.MESSAGES["length"])])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    second_worker = SelectField(_l("Second worker"), choices=[], default="")
    weeks = IntegerField(_l("Repeat weekly for this many weeks"), default=1, validators=[
        Optional(), NumberRange(1, MAX_WEEKS, message=_l("Choose between %(min)s and %(max)s weeks."))])
    urgent = BooleanField(_l("Urgent: book anyway"))
    far_ahead = BooleanField(_l("Yes, the date is right"))
    find = SubmitField(_l("Find free times"))
    slot = StringField()  # the free-time button pressed: "YYYY-MM-DDTHH:MM", Helsinki time

    def __init__(self, definition: ProgrammeDefinition, colleagues: Sequence[User],
                 enrolment: Enrolment | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.definition, self.colleagues = definition, list(colleagues)
        types = bookable_types(definition)
        self.contact_type.choices = [SelectChoice(c.code, _("%(name)s (%(minutes)s min)", name=c.name.get(
            str(get_locale())), minutes=c.default_minutes)) for c in types]
        ways = list(dict.fromkeys(m for c in types for m in c.modalities))
        self.modality.choices = [SelectChoice(m.value, LABELS[m]) for m in ways]
        self.second_worker.choices = [SelectChoice("", _("No second worker"))] + [
            SelectChoice(str(u.id), u.display_name) for u in self.colleagues]
        if not self.is_submitted() and types:
            self.contact_type.data = types[0].code
            first = (rules.default_modality(types[0], enrolment) if enrolment is not None
                     else types[0].first_contact_modality or types[0].modalities[0])
            self.modality.data = first.value

    def validate_time(self, field) -> None:
        require_existing_local_time(self.day.data, field.data)

    def validate_day(self, field) -> None:
        """A date more than a year ahead is booked only when confirmed: 2099 is more often a typo than a plan."""
        if field.data is not None and field.data > far_ahead_from(local_date(utcnow())) and not self.far_ahead.data:
            raise ValidationError(_("The date is more than a year ahead (%(date)s). Check the year; if it is right, "
                                    "confirm it below and book again.", date=date_text(field.data)))

    @property
    def asks_far_ahead(self) -> bool:
        """Whether the form shows the confirmation for a date more than a year ahead."""
        return bool(self.far_ahead.data) or (self.day.data is not None and
                                             self.day.data > far_ahead_from(local_date(utcnow())))

    @property
    def helper_requested(self) -> bool:
        """The worker asked for free times or picked one: fill the form in, book nothing."""
        return bool(self.find.data or self.slot.data)

    @property
    def chosen_type(self) -> ContactType:
        types = bookable_types(self.definition)
        return next((c for c in types if c.code == self.contact_type.data), types[0])

    @property
    def chosen_modality(self) -> Modality:
        ways = self.chosen_type.modalities
        return next((m for m in ways if m.value == self.modality.data), ways[0])

    @property
    def length(self) -> int:
        """The minutes typed, or the contact type's usual length."""
        typed = self.minutes.data
        return typed if isinstance(typed, int) and 5 <= typed <= 480 else self.chosen_type.default_minutes

    @property
    def workers(self) -> list[User]:
        """The second worker chosen, if any (the signed-in worker is always the host)."""
        return [u for u in self.colleagues if str(u.id) == self.second_worker.data]

    @property
    def repeat_weeks(self) -> int:
        return self.weeks.data or 1

    def fill_slot(self) -> bool:
        """Copy a picked free time into the date and time fields; False for a value that is not one."""
        try:
            picked = datetime.strptime(self.slot.data or "", _SLOT)
        except ValueError:
            return False
        if not FIRST_YEAR <= picked.year <= LAST_YEAR:
            return False
        self.day.data, self.day.raw_data = picked.date(), [picked.date().isoformat()]
        self.time.data, self.time.raw_data = picked.time(), [picked.strftime("%H:%M")]
        return True

    def refuse(self, exc: BookingError) -> None:
        """Show the rules' refusal on the field it is about, or above the form when it is about no one field."""
        name = "time" if isinstance(exc, BookingConflict) else next(
            (field for key, field in _FIELD_OF_RULE.items() if exc.message is rules.MESSAGES[key]), None)
        if name is None:
            self.form_errors.append(str(exc))
        else:
            self[name].errors = [*self[name].errors, str(exc)]

    def booking_request(self, enrolment: Enrolment) -> BookingRequest:
        """What to book, from a validated form."""
        return BookingRequest(
            enrolment=enrolment, contact_type=self.contact_type.data, modality=Modality(self.modality.data),
            starts_at=local(self.day.data, self.time.data), minutes=self.length, workers=self.workers,
            place=(self.place.data or "").strip() or None, urgent=self.urgent.data,
        )


def far_ahead_from(today: date) -> date:
    """The last day booked without a confirmation: a year from today."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def slot_value(moment: datetime) -> str:
    """A free time as the value of its button: Helsinki wall-clock time."""
    return as_helsinki(moment).strftime(_SLOT)


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason for cancelling (optional)"), render_kw={"rows": 2}, validators=[
        Optional(), Length(max=1000, message=_l("Please write the reason in at most %(max)s characters."))])
    next = StringField()


def require_existing_local_time(day, at) -> None:
    """A Helsinki wall-clock time that exists: not inside the spring clock change (ValidationError)."""
    if day is None or at is None:
        return
    try:
        local(day, at)
    except NonexistentLocalTime:
        raise ValidationError(_(
            "%(time)s does not exist on %(date)s: the clocks go forward from 3.00 to 4.00 that night. "
            "Please choose another time.", time=at.strftime("%H:%M"), date=date_text(day)
        )) from None
