"""The report filters: a GET form (nothing changes, so no CSRF token), validated into ``Filters``."""

from __future__ import annotations

from datetime import date, timedelta

from wtforms import Form, SelectField
from wtforms.validators import DataRequired, ValidationError

from portal.i18n import _l
from portal.reports.labels import FILTER_ERRORS
from portal.reports.permissions import Scope
from portal.reports.queries import Filters
from portal.web.forms import BoundedDateField

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]  # the date picker's value, or a Finnish date typed by hand
LONGEST_PERIOD = timedelta(days=3653)


class FilterForm(Form):
    start = BoundedDateField(_l("From"), format=DATE_FORMATS, validators=[DataRequired(FILTER_ERRORS["period"])],
                      invalid_value_message=FILTER_ERRORS["period"])
    end = BoundedDateField(_l("To"), format=DATE_FORMATS, validators=[DataRequired(FILTER_ERRORS["period"])],
                    invalid_value_message=FILTER_ERRORS["period"])
    unit = SelectField(_l("Unit"), default="", invalid_choice_message=FILTER_ERRORS["unit"])
    municipality = SelectField(_l("Municipality"), default="", invalid_choice_message=FILTER_ERRORS["municipality"])
    client_group = SelectField(_l("Client group"), default="", invalid_choice_message=FILTER_ERRORS["client_group"])

    def __init__(self, formdata, units, municipalities, groups, today: date):
        # No query at all: the defaults (the last twelve months, everything the user may see).
        super().__init__(formdata or None, start=today - timedelta(days=364), end=today)
        everything = [("", _l("All"))]
        self.unit.choices = everything + units
        self.municipality.choices = everything + municipalities
        self.client_group.choices = everything + groups

    def validate_end(self, field):
        if self.start.data and field.data:
            if self.start.data > field.data:
                raise ValidationError(str(FILTER_ERRORS["period"]))
            if field.data - self.start.data > LONGEST_PERIOD:
                raise ValidationError(str(FILTER_ERRORS["period_long"]))

    def filters(self, scope: Scope) -> Filters:
        """Valid choices as Filters, narrowed to what the user may count."""
        units = scope.unit_ids
        if self.unit.data:
            units = (int(self.unit.data),)
        return Filters(self.start.data, self.end.data, unit_ids=units,
                       municipality_codes=(self.municipality.data,) if self.municipality.data else None,
                       client_group=self.client_group.data or None, worker_id=scope.worker_id)
