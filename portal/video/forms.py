"""Forms of the video pages: an ad hoc meeting, an invite link."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.i18n import _, _l
from portal.programmes.models import Enrolment
from portal.video.models import ParticipantRole
from portal.video.operations import INVITE_HOURS
from portal.web.forms import bounded_id


def _chosen_id(value) -> int | None:
    """The placeholder option ("") is no choice: the required check says so, not a coercion error."""
    return None if value in ("", None) else bounded_id(value)


class AdhocForm(FlaskForm):
    enrolment_id = SelectField(_l("Client"), coerce=_chosen_id, validators=[DataRequired(_l("Choose a client."))])

    def set_choices(self, enrolments: list[Enrolment]) -> None:
        # A required <select> starts with an empty option (HTML: otherwise the first client is chosen silently).
        self.enrolment_id.choices = [("", _("Choose a client")), *((e.id, e.client.full_name) for e in enrolments)]


def _hours_label(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return _("%(num)s day", num=days) if days == 1 else _("%(num)s days", num=days)
    return _("%(num)s hours", num=hours)


class InviteForm(FlaskForm):
    """Invited people are guests or the client: a link never gives a worker's rights (admitting, ending)."""

    name = StringField(_l("Name of the person invited"), validators=[DataRequired(), Length(max=120)],
                       description=_l("Shown to the others in the meeting."))
    role = SelectField(_l("Who they are"), default=ParticipantRole.GUEST.value)
    hours = SelectField(_l("The link works for"), coerce=int, default=24)
    send_to_client = BooleanField(_l("Send the link to the client now (text message or email, as they prefer)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(ParticipantRole.GUEST.value, _("A relative or other guest")),
                             (ParticipantRole.CLIENT.value, _("The client"))]
        self.hours.choices = [(h, _hours_label(h)) for h in INVITE_HOURS]
