"""The network contact form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.i18n import _l
from portal.network.labels import LABELS
from portal.network.models import MAX_NAME, MAX_PHONE, NetworkRole
from portal.network.operations import ContactDetails
from portal.people.forms import PHONE
from portal.web.forms import enum_choices


class ContactForm(FlaskForm):
    # A required list starts with an empty option (HTML), so the role is chosen, not taken as the first.
    role = SelectField(_l("Role"), choices=enum_choices(NetworkRole, LABELS, blank_label=_l("Choose the role")),
                       validators=[InputRequired(message=_l("Choose the role."))])
    title = StringField(_l("Title or role in words"), validators=[Optional(), Length(max=120)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=MAX_NAME)])
    organisation = StringField(_l("Organisation"), validators=[
        InputRequired(message=_l("Give the organisation.")), Length(max=MAX_NAME)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=MAX_PHONE), PHONE])
    consent_to_contact = BooleanField(_l("The client agrees that we contact this professional"))
    shown_to_client = BooleanField(_l("The client wishes to see this contact in the client portal"))

    def details(self) -> ContactDetails:
        return ContactDetails(role=NetworkRole(self.role.data), organisation=self.organisation.data or "",
                              title=self.title.data, name=self.name.data, phone=self.phone.data,
                              consent_to_contact=self.consent_to_contact.data,
                              shown_to_client=self.shown_to_client.data)


class RemoveForm(FlaskForm):
    """A button that removes a contact (the CSRF token only)."""
