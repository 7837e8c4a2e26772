from portal.i18n import _l
from portal.meetings.models import ContactOutcome, ContactStatus
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import AppointmentStatus
from portal.web.labels import EnumLabels

LABELS = EnumLabels(
    {
        Modality.VIDEO: _l("Video meeting"),
        Modality.PHONE: _l("Phone call"),
        Modality.HOME_VISIT: _l("Home visit"),
        Modality.RECEPTION: _l("Visit at the office"),
        Modality.EMAIL: _l("Email"),
        Modality.TEXT_MESSAGE: _l("Text message"),
    },
    {
        ContactStatus.HELD: _l("Held"),
        ContactStatus.CANCELLED: _l("Cancelled"),
        ContactStatus.NO_SHOW: _l("Did not take place"),
    },
    {
        ContactOutcome.SERVED: _l("Served in this contact"),
        ContactOutcome.FOLLOW_UP: _l("Follow-up booked"),
        ContactOutcome.REFERRED_ONWARDS: _l("Referred onwards"),
    },
    {
        AppointmentStatus.BOOKED: _l("Booked"),
        AppointmentStatus.CONFIRMED: _l("Confirmed by the client"),
        AppointmentStatus.CANCELLED: _l("Cancelled"),
        AppointmentStatus.HELD: _l("Held"),
        AppointmentStatus.NO_SHOW: _l("Did not take place"),
    },
)
