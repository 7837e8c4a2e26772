"""The task list's forms: mark a request handled (with a reply), or move the appointment it is about."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.i18n import _l
from portal.meetings.labels import LABELS
from portal.programmes.definitions_schema import Modality
from portal.scheduling.forms import require_existing_local_time
from portal.scheduling.timeutil import local
from portal.tasks.models import TEXT_LIMIT
from portal.tasks.operations import Move
from portal.web.forms import BoundedDateField

REPLY_HINT = _l("The client reads this on the appointment in Silta.")


def _reply_field():
    return TextAreaField(_l("Reply to the client (optional)"), validators=[
        Optional(), Length(max=TEXT_LIMIT, message=_l("Write at most %(max)d characters."))])


class HandleForm(FlaskForm):
    reply = _reply_field()


class MoveForm(FlaskForm):
    day = BoundedDateField(_l("New date"), validators=[InputRequired(message=_l("Enter the date."))])
    time = TimeField(_l("New time"), validators=[InputRequired(message=_l("Enter the time."))])
    modality = SelectField(_l("Way of meeting"), choices=[])
    urgent = BooleanField(_l("Urgent: book anyway"))
    reply = _reply_field()

    def __init__(self, modalities: list[Modality], chosen: Modality, **kwargs) -> None:
        super().__init__(**kwargs)
        self.modality.choices = [SelectChoice(m.value, LABELS[m]) for m in modalities]
        if not self.is_submitted():
            self.modality.data = chosen.value

    def validate_time(self, field) -> None:
        require_existing_local_time(self.day.data, field.data)

    def move(self) -> Move:
        return Move(local(self.day.data, self.time.data), Modality(self.modality.data), bool(self.urgent.data))
