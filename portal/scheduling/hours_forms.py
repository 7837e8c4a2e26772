"""The working-hours week grid and the absence form; they parse, the operations in hours.py judge."""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import DateInput, TimeInput

from portal.i18n import _, _l
from portal.scheduling.forms import require_existing_local_time
from portal.scheduling.hours import MAX_RANGES_A_DAY, REASON_MAX, HoursError, Week
from portal.web.forms import BoundedDateField

_PARTS = ("start", "end")


def field_name(weekday: int, index: int, part: str) -> str:
    """The grid's field for one edge of one range: ``d0_start_0`` is Monday's first range's start."""
    return f"d{weekday}_{part}_{index}"


def _time_field() -> StringField:
    return StringField(widget=TimeInput(), render_kw={"step": "300"}, validators=[Optional()])


class HoursForm(FlaskForm):
    """Seven days, each with up to two ranges; a day left empty is a day off."""

    def __init__(self, week: Week | None = None, **kwargs) -> None:
        data = {field_name(d, i, p): edge.strftime("%H:%M") for d, ranges in (week or {}).items()
                for i, span in enumerate(ranges) for p, edge in zip(_PARTS, span, strict=True)}
        super().__init__(data=data, **kwargs)
        names = get_day_names("wide", context="stand-alone", locale=get_locale())  # 0 = Monday, as ours
        self.day_names = [names[d][:1].upper() + names[d][1:] for d in range(7)]
        for d, name in enumerate(self.day_names):
            self[field_name(d, 0, "start")].label.text = _("%(day)s: from", day=name)
            self[field_name(d, 0, "end")].label.text = _("%(day)s: until", day=name)
            self[field_name(d, 1, "start")].label.text = _("%(day)s: second range from", day=name)
            self[field_name(d, 1, "end")].label.text = _("%(day)s: second range until", day=name)
        self.rows: dict[int, list[tuple[time, time]]] = {}

    def days(self) -> list[tuple[str, list[tuple]]]:
        """For the template: each day's name and its ranges' (start, end) fields."""
        return [(name, [(self[field_name(d, i, "start")], self[field_name(d, i, "end")])
                        for i in range(MAX_RANGES_A_DAY)]) for d, name in enumerate(self.day_names)]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for d in range(7):
            for i in range(MAX_RANGES_A_DAY):
                ok = self._parse_range(d, i) and ok
        return ok

    def _parse_range(self, weekday: int, index: int) -> bool:
        start, end = (self[field_name(weekday, index, p)] for p in _PARTS)
        raw = [(f.data or "").strip() for f in (start, end)]
        if not any(raw):
            return True
        if not all(raw):
            (end if raw[0] else start).errors.append(_("Enter both the start and the end, or neither."))
            return False
        parsed = [_time(value) for value in raw]
        for f, value in zip((start, end), parsed, strict=True):
            if value is None:
                f.errors.append(_("Write the time as hours and minutes, for example 8:00 or 16:30."))
        if None in parsed:
            return False
        self.rows.setdefault(weekday, []).append((parsed[0], parsed[1]))
        return True

    def refuse(self, error: HoursError) -> None:
        """Show the operation's refusal next to the range it is about (the first field otherwise)."""
        weekday = error.weekday if error.weekday is not None else 0
        index = min(error.index if error.index is not None else 0, MAX_RANGES_A_DAY - 1)
        self[field_name(weekday, index, "start")].errors.append(str(error))


for _d in range(7):  # the grid's 28 fields, declared once on the class as WTForms wants them
    for _i in range(MAX_RANGES_A_DAY):
        for _p in _PARTS:
            setattr(HoursForm, field_name(_d, _i, _p), _time_field())


def _time(value: str) -> time | None:
    for fmt in ("%H:%M", "%H.%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    return None


class AbsenceForm(FlaskForm):
    start_day = StringField(_l("First day"), widget=DateInput())
    end_day = StringField(_l("Last day"), widget=DateInput())
    reason = StringField(_l("Reason (optional)"), validators=[
        Optional(), Length(max=REASON_MAX, message=_l("Write the reason in at most %(max)d characters."))])

    def validate_start_day(self, field) -> None:
        field.parsed = _day(field.data, required=True)

    def validate_end_day(self, field) -> None:
        field.parsed = _day(field.data, required=False)

    @property
    def first_day(self) -> date:
        return self.start_day.parsed

    @property
    def last_day(self) -> date | None:
        return self.end_day.parsed

    def refuse(self, error: HoursError) -> None:
        self.end_day.errors.append(str(error))


def _day(value: str | None, *, required: bool) -> date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError(_("Enter the first day of the absence."))
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        raise ValidationError(_("Write the date as year-month-day, for example 2026-07-06."))
    return day


class CallSlotsForm(FlaskForm):
    """Publish phone-call times: a day, a span and the length of one call."""

    day = BoundedDateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    start = TimeField(_l("From"), validators=[InputRequired(message=_l("Enter the time."))])
    end = TimeField(_l("Until"), validators=[InputRequired(message=_l("Enter the time."))])
    minutes = IntegerField(_l("Length of one call in minutes"), default=20, validators=[
        InputRequired(message=_l("Enter the length.")),
        NumberRange(5, 60, message=_l("Choose between %(min)s and %(max)s minutes."))])

    def validate_start(self, field) -> None:
        require_existing_local_time(self.day.data, field.data)

    def validate_end(self, field) -> None:
        require_existing_local_time(self.day.data, field.data)
