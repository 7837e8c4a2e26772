"""The group forms: a new group, adding a member, booking sessions, recording attendance, closing."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.auth.models import User
from portal.groups.models import MAX_CAPACITY, MIN_CAPACITY, AttendanceStatus
from portal.groups.operations import SessionsRequest, group_contact_type
from portal.i18n import _l
from portal.meetings.labels import LABELS
from portal.people.models import Client, OrgUnit
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling import rules
from portal.scheduling.forms import MAX_WEEKS, BookingForm, CancelForm
from portal.scheduling.timeutil import local
from portal.web.forms import BoundedDateField
from portal.web.templating import programme_name

ATTENDANCE_LABELS = {AttendanceStatus.ATTENDED: _l("Attended"), AttendanceStatus.ABSENT: _l("Absent"),
                     AttendanceStatus.EXCUSED: _l("Absent, excused")}


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the group"), validators=[
        InputRequired(message=_l("Enter the name of the group.")), Length(max=200)])
    programme = SelectField(_l("Programme"), choices=[])
    unit = SelectField(_l("Unit"), choices=[])
    leader = SelectField(_l("Leader"), choices=[])
    capacity = IntegerField(_l("Number of places"), default=8, validators=[
        InputRequired(message=_l("Enter the number of places.")),
        NumberRange(MIN_CAPACITY, MAX_CAPACITY, message=_l("Choose between %(min)s and %(max)s places."))])

    def __init__(self, programmes: Sequence[str], units: Sequence[OrgUnit], leaders: Sequence[User],
                 locale: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.leaders = list(leaders)
        self.programme.choices = [SelectChoice(code, programme_name(code)) for code in programmes]
        self.unit.choices = [SelectChoice(str(u.id), u.name(locale)) for u in units]
        self.leader.choices = [SelectChoice(str(u.id), u.display_name) for u in self.leaders]

    @property
    def chosen_leader(self) -> User:
        return next(u for u in self.leaders if str(u.id) == self.leader.data)


class MemberForm(FlaskForm):
    enrolment = SelectField(_l("Client"), choices=[])

    def __init__(self, enrolments: Sequence[Enrolment], **kwargs) -> None:
        super().__init__(**kwargs)
        self.enrolments = list(enrolments)
        self.enrolment.choices = [SelectChoice(str(e.id), e.client.full_name) for e in self.enrolments]

    @property
    def chosen(self) -> Enrolment:
        return next(e for e in self.enrolments if str(e.id) == self.enrolment.data)


class SessionsForm(FlaskForm):
    modality = SelectField(_l("Way of meeting"), choices=[])
    day = BoundedDateField(_l("Date of the first session"), validators=[InputRequired(message=_l("Enter the date."))])
    time = TimeField(_l("Time"), validators=[InputRequired(message=_l("Enter the time."))])
    minutes = IntegerField(_l("Length in minutes"), validators=[
        InputRequired(message=_l("Enter the length.")), NumberRange(5, 480, message=rules.MESSAGES["length"])])
    weeks = IntegerField(_l("Number of weekly sessions"), default=8, validators=[
        InputRequired(message=_l("Enter the number of sessions.")),
        NumberRange(1, MAX_WEEKS, message=_l("Choose between %(min)s and %(max)s weeks."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])

    def __init__(self, programme_code: str, **kwargs) -> None:
        super().__init__(**kwargs)
        contact_type = group_contact_type(programme_code)
        ways = contact_type.modalities if contact_type else []
        self.modality.choices = [SelectChoice(m.value, LABELS[m]) for m in ways]
        if not self.is_submitted() and contact_type:
            self.minutes.data = contact_type.default_minutes

    validate_time = BookingForm.validate_time  # the same refusal of a time inside the spring clock change

    def sessions_request(self) -> SessionsRequest:
        return SessionsRequest(modality=Modality(self.modality.data), first_start=local(self.day.data, self.time.data),
                               weeks=self.weeks.data, minutes=self.minutes.data,
                               place=(self.place.data or "").strip() or None)


class CloseForm(FlaskForm):
    # The same field as cancelling one appointment: kept with each cancelled session, never put in a text message.
    reason = CancelForm.reason


def attendance_form(clients: Sequence[Client], marks: dict, formdata=None) -> FlaskForm:
    """One choice per member taking part, named ``client-<id>``, preset from earlier marks."""

    class AttendanceForm(FlaskForm):
        pass

    choices = [SelectChoice(s.value, label) for s, label in ATTENDANCE_LABELS.items()]
    for client in clients:
        mark = marks.get(client.id)
        setattr(AttendanceForm, f"client-{client.id}", SelectField(
            client.full_name, choices=choices, default=mark.status.value if mark else AttendanceStatus.ATTENDED.value))
    form = AttendanceForm(formdata=formdata) if formdata is not None else AttendanceForm()
    form.clients = list(clients)
    return form


def attendance_statuses(form: FlaskForm) -> dict[int, AttendanceStatus]:
    return {client.id: AttendanceStatus(form[f"client-{client.id}"].data) for client in form.clients}
