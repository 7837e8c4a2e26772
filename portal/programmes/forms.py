"""The lifecycle forms. Choices come from the programme definition and the unit's workers; the
operations decide what is allowed, and a refusal lands on the field it is about."""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.i18n import _, _l
from portal.programmes.definitions_schema import ProgrammeDefinition
from portal.programmes.operations import NOTE_MAX, EnrolmentError
from portal.web.forms import BoundedDateField, bounded_id

NOBODY = 0


def locale() -> str:
    return str(get_locale() or "fi")


def _people(users, empty: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(NOBODY, empty)] if empty else []
    return choices + [SelectChoice(u.id, f"{u.display_name}, {u.title}" if u.title else u.display_name) for u in users]


def _items(items) -> list[SelectChoice]:
    return [SelectChoice(i.code, i.name.get(locale())) for i in items]


class _Refusable(FlaskForm):
    def refuse(self, exc: EnrolmentError) -> None:
        """Show the operation's refusal on the field it is about, or above the form."""
        if exc.field and exc.field in self:
            self[exc.field].errors = [*self[exc.field].errors, str(exc)]
        else:
            self.form_errors.append(str(exc))


class StartForm(_Refusable):
    unit_id = SelectField(_l("Unit"), coerce=bounded_id, validate_choice=False)
    start_on = BoundedDateField(_l("Start date"), validators=[InputRequired(message=_l("Give the start date."))])
    coordinator_id = SelectField(_l("Contact person"), coerce=bounded_id, validate_choice=False)
    coordinator_role = SelectField(_l("The contact person's role"), validate_choice=False)
    deputy_id = SelectField(_l("Deputy"), coerce=bounded_id, validate_choice=False)
    decision_on = BoundedDateField(_l("Date of the decision"), validators=[Optional()])
    decision_valid_until = BoundedDateField(_l("The decision is valid until"), validators=[Optional()])
    decided_by_id = SelectField(_l("Who made the decision"), coerce=bounded_id, validate_choice=False)

    def __init__(self, definition: ProgrammeDefinition, units, workers, deciders, **kwargs) -> None:
        super().__init__(**kwargs)
        self.unit_id.choices = [SelectChoice(u.id, u.name(locale())) for u in units]
        self.coordinator_id.choices = _people(workers)
        self.coordinator_role.choices = _items(definition.contact_roles)
        self.deputy_id.choices = _people(workers, _("No deputy"))
        self.decided_by_id.choices = _people(deciders, _("Choose"))
        if not self.is_submitted():
            self.start_on.data = date.today()


class PeopleForm(_Refusable):
    coordinator_role = SelectField(_l("The contact person's role"), validate_choice=False)
    deputy_id = SelectField(_l("Deputy"), coerce=bounded_id, validate_choice=False)

    def __init__(self, definition: ProgrammeDefinition, workers, **kwargs) -> None:
        super().__init__(**kwargs)
        self.coordinator_role.choices = _items(definition.contact_roles)
        self.deputy_id.choices = _people(workers, _("No deputy"))


class TeamMemberForm(_Refusable):
    user_id = SelectField(_l("Worker"), coerce=bounded_id, validate_choice=False)
    team_role = SelectField(_l("Role in the own team"), validate_choice=False)

    def __init__(self, definition: ProgrammeDefinition, workers, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user_id.choices = _people(workers, _("Choose"))
        # The team roles, then the contact-person roles a team member may hold (003: the omatyöntekijä).
        self.team_role.choices = _items(definition.team_roles + definition.contact_roles)


class TransferForm(_Refusable):
    to_user_id = SelectField(_l("New contact person"), coerce=bounded_id, validate_choice=False)
    note = TextAreaField(_l("Handover note"), render_kw={"rows": 6, "maxlength": NOTE_MAX}, validators=[
        InputRequired(message=_l("Write a handover note for the new worker.")),
        Length(max=NOTE_MAX, message=_l("The handover note can be at most %(max)s characters.", max=NOTE_MAX))])

    def __init__(self, workers, **kwargs) -> None:
        super().__init__(**kwargs)
        self.to_user_id.choices = _people(workers, _("Choose"))


class EndForm(_Refusable):
    reason = SelectField(_l("Why the service ends"), validate_choice=False)
    ended_on = BoundedDateField(_l("End date"), validators=[InputRequired(message=_l("Give the end date."))])

    def __init__(self, definition: ProgrammeDefinition, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reason.choices = [SelectChoice("", _("Choose"))] + _items(definition.end_reasons)
        if not self.is_submitted():
            self.ended_on.data = date.today()
