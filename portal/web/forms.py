"""Form plumbing shared by the features."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from wtforms import DateField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from portal.i18n import _l
from portal.web.converters import BIGINT_MAX


def enum_choices(members: Iterable[enum.Enum], labels: Mapping, blank_label=None) -> list[SelectChoice]:
    """Select options for enum members with their translated labels (and an optional empty first option)."""
    options = [SelectChoice("", blank_label)] if blank_label is not None else []
    return options + [SelectChoice(m.value, labels[m]) for m in members]


class CheckboxesField(SelectMultipleField):
    """Checkboxes for a multiple choice (render with the ``checkbox_group`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


FIRST_YEAR, LAST_YEAR = 1900, 2100  # every date Silta handles (births, decisions, bookings) lies in between


class BoundedDateField(DateField):
    """A date between FIRST_YEAR and LAST_YEAR, or a translated error on the field.

    WTForms' DateField takes 0001-01-01 and 9999-12-31, and the first step from them (a time-zone
    conversion, the next day) overflowed: a 500 instead of a message. Every date field is this one."""

    def __init__(self, *args, out_of_range=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.out_of_range = out_of_range  # the field's own words for a year out of bounds, if it has them

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            self.data = None
            raise ValueError(self.out_of_range or _l("Give a date between the years %(first)s and %(last)s.",
                                                     first=FIRST_YEAR, last=LAST_YEAR))


def bounded_id(value) -> int:
    """``coerce=`` for a choice that names a row: an integer the database can hold.

    ``coerce=int`` let 9223372036854775808 through to ``db.get_or_404`` (an overflow, 500); the
    ValueError here becomes the field's error like any other value that is not a choice."""
    number = int(value)
    if not 0 <= number <= BIGINT_MAX:
        raise ValueError(value)
    return number
