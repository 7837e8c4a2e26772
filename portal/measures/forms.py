"""The fields around the items: how a worker-entered answer was given, and why an answer is corrected.

The items themselves are data (the instrument definition), read from the form by ``scoring.parse``.
"""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from portal.i18n import _l
from portal.measures.definitions_schema import InstrumentDefinition, ItemType
from portal.measures.labels import LABELS
from portal.measures.models import AnswerSource
from portal.measures.operations import REASON_LIMIT
from portal.web.forms import BoundedDateField


class EntryForm(FlaskForm):
    """A worker enters scores the client gave on paper or by phone."""

    source = SelectField(_l("How was the answer given?"), validators=[InputRequired()],
                         choices=[SelectChoice(s.value, LABELS[s]) for s in (AnswerSource.PAPER, AnswerSource.PHONE)])
    answered_on = BoundedDateField(_l("Date the client answered"), default=date.today,
                            validators=[InputRequired(message=_l("Please give the date the answer was given, "
                                                                 "not in the future."))])

    def validate_answered_on(self, field) -> None:
        if field.data and field.data > date.today():
            raise ValidationError(_l("Please give the date the answer was given, not in the future."))


class CorrectionForm(FlaskForm):
    reason = TextAreaField(_l("Why is the answer corrected?"), validators=[
        InputRequired(message=_l("Please write why the answer is corrected.")), Length(max=REASON_LIMIT)])


def item_values(form, definition: InstrumentDefinition) -> dict[str, str]:
    """The items' raw values from a posted form.

    A range input always posts a value, even when nobody moved it. With JavaScript on (the script adds
    ``js=1``), a line the client has not touched (no ``<code>__set``) counts as unanswered; without
    JavaScript the line's position is the answer (keyboard and screen readers announce it).
    """
    with_js = form.get("js") == "1"
    values = {}
    for item in definition.items:
        if item.type is ItemType.LINE and with_js and form.get(f"{item.code}__set") != "1":
            continue
        values[item.code] = form.get(item.code, "")
    return values
