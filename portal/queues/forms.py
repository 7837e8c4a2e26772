"""The queue forms: offering a vacancy, recording the answer, priority, reporting vacancies and ends."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.i18n import _l
from portal.queues.labels import LABELS
from portal.queues.models import OfferStatus, QueueEntry, QueuePriority
from portal.queues.operations import MAX_REASON
from portal.web.forms import BoundedDateField, bounded_id


class OfferForm(FlaskForm):
    entry = SelectField(_l("Client"), coerce=bounded_id, validate_choice=False)
    answer_by = BoundedDateField(_l("Answer by"),
                                 validators=[InputRequired(message=_l("Give the date the answer is due."))])
    skip_reason = TextAreaField(_l("Why this client before those ahead in the queue"),
                                validators=[Optional(), Length(max=MAX_REASON)])

    def __init__(self, entries: Sequence[tuple[QueueEntry, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        # Any id may come back (a forged or stale one): the operation decides, with a clear error.
        self.entry.choices = [SelectChoice(entry.id, text) for entry, text in entries]


class AnswerForm(FlaskForm):
    answer = RadioField(_l("The client's answer"), choices=[
        SelectChoice(s.value, LABELS[s]) for s in (OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED)],
        validators=[InputRequired(message=_l("Choose the answer."))])
    starts_on = BoundedDateField(_l("Residency starts on (if accepted)"), validators=[Optional()])


class PriorityForm(FlaskForm):
    priority = SelectField(_l("Priority"), choices=[SelectChoice(p.value, LABELS[p]) for p in QueuePriority])


class VacancyForm(FlaskForm):
    free_from = BoundedDateField(_l("The place is free from"),
                          validators=[InputRequired(message=_l("Give the date the place is free from."))])


class EndResidencyForm(FlaskForm):
    ends_on = BoundedDateField(_l("Last day of the residency"),
                        validators=[InputRequired(message=_l("Give the last day of the residency."))])
    report_place = BooleanField(_l("Report the place vacant from the next day"), default=True)
