from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from portal.appointments.operations import MESSAGES, TEXT_LIMIT
from portal.i18n import _l
from portal.meetings.labels import LABELS
from portal.programmes.definitions_schema import Modality
from portal.web.forms import enum_choices


def _modality_or_none(value) -> Modality | None:
    return Modality(value) if value else None


class ChangeRequestForm(FlaskForm):
    """Ask for another time and/or another way of meeting; at least one of the two."""

    preferred_times = TextAreaField(
        _l("Which times would suit you?"), validators=[Optional(), Length(max=TEXT_LIMIT)],
        description=_l("For example: Tuesdays after 12, or any morning next week."), render_kw={"rows": 3})
    wants_modality = SelectField(_l("Would you like to meet in another way?"), coerce=_modality_or_none,
                                 validators=[Optional()])
    message = TextAreaField(_l("Anything else your worker should know (optional)"),
                            validators=[Optional(), Length(max=TEXT_LIMIT)], render_kw={"rows": 3})

    def __init__(self, offered: list[Modality], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.wants_modality.choices = enum_choices(offered, LABELS, _l("No, the same way as now"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.preferred_times.data or "").strip() and self.wants_modality.data is None:
            self.preferred_times.errors.append(MESSAGES["nothing_asked"])
            return False
        return valid


class CancelForm(FlaskForm):
    """The confirmation step before a client cancels: the reason is optional and goes to the worker."""

    reason = TextAreaField(_l("Why are you cancelling? (optional)"), validators=[Optional(), Length(max=TEXT_LIMIT)],
                           description=_l("Your worker sees this. You do not have to say."), render_kw={"rows": 3})
