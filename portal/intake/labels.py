"""Translated names for intake's enums."""

from portal.i18n import _l
from portal.intake.models import (
    AgendaReason,
    DecisionOutcome,
    HousingServiceType,
    IntakeChannel,
    IntakeStatus,
    MeetingCapacity,
)
from portal.intake.queries import DeadlineState, Stage
from portal.web.labels import EnumLabels

LABELS = EnumLabels(
    {
        IntakeChannel.service_request: _l("Service request (client portal)"),
        IntakeChannel.notification_35: _l("Notification of need for social welfare (section 35)"),
        IntakeChannel.phone: _l("Phone"),
        IntakeChannel.paper: _l("Paper form"),
        IntakeChannel.visit: _l("Visit"),
    },
    {
        IntakeStatus.draft: _l("Draft"),
        IntakeStatus.received: _l("Waiting for registration"),
        IntakeStatus.registered: _l("Registered"),
        IntakeStatus.merged: _l("Merged into an existing case"),
    },
    {
        HousingServiceType.supported: _l("Supported housing"),
        HousingServiceType.communal: _l("Communal housing"),
        HousingServiceType.round_the_clock: _l("Round-the-clock service housing"),
    },
    {
        DecisionOutcome.granted: _l("Granted"),
        DecisionOutcome.rejected: _l("Rejected"),
        DecisionOutcome.more_information: _l("More information needed"),
    },
    {
        DeadlineState.done: _l("Completed on time"),
        DeadlineState.late_done: _l("Completed late"),
        DeadlineState.on_track: _l("On track"),
        DeadlineState.due_soon: _l("Due within a week"),
        DeadlineState.late: _l("Late"),
    },
    {
        Stage.received: _l("Received"),
        Stage.assessed: _l("Being assessed"),
        Stage.decided: _l("Decided"),
        Stage.queued: _l("In queue"),
        Stage.offered: _l("Offered a place"),
        Stage.placed: _l("Placed"),
    },
    {
        AgendaReason.new_application: _l("New client"),
        AgendaReason.changed_need: _l("Service need changes"),
    },
    {
        MeetingCapacity.chair: _l("Chair (service-unit manager)"),
        MeetingCapacity.lead_social_worker: _l("Lead social worker"),
        MeetingCapacity.client_worker: _l("Client's worker"),
        MeetingCapacity.member: _l("Member"),
    },
)
