"""Who sits in SAP (seed 001): the service-unit manager chairs, with the lead social worker and the client's
worker; who attended is recorded; clients whose service need changes are brought to SAP too."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth.labels import LABELS
from portal.auth.models import Role
from portal.intake import operations
from portal.intake.models import AgendaReason, DecisionOutcome, HousingServiceType, MeetingCapacity
from portal.intake.operations import IntakeError
from tests.intake.conftest import NOW, TODAY


def test_the_service_unit_manager_is_a_role_of_its_own_and_chairs(db, team, unit):
    assert str(LABELS[Role.SERVICE_MANAGER])
    with pytest.raises(IntakeError):  # the lead social worker sits in SAP but does not chair it
        operations.schedule_meetings(team["lead"], unit, TODAY, 1, {})
    meeting = operations.schedule_meetings(team["chair"], unit, TODAY, 1, {})[0]
    assert meeting.chair_id == team["chair"].id
    assert not operations.may_chair(team["lead"], meeting) and operations.may_chair(team["chair"], meeting)


def test_the_chair_records_who_attended_in_their_capacities(db, team, unit, registered):
    meeting = operations.schedule_meetings(team["chair"], unit, TODAY, 1, {})[0]
    operations.book_slot(team["worker"], meeting, registered, 10, NOW)
    people = {team["lead"].id, team["worker"].id, team["lead2"].id}
    with pytest.raises(IntakeError):  # not before the meeting has started
        operations.record_attendance(team["chair"], meeting, people, meeting.starts_at - timedelta(minutes=1))
    with pytest.raises(IntakeError):  # only the chair
        operations.record_attendance(team["worker"], meeting, people, meeting.starts_at)
    with pytest.raises(IntakeError):  # staff of another unit cannot be recorded
        operations.record_attendance(team["chair"], meeting, {team["stranger"].id}, meeting.starts_at)
    operations.record_attendance(team["chair"], meeting, people, meeting.starts_at)
    assert {a.user_id: a.capacity for a in meeting.attendees} == {
        team["chair"].id: MeetingCapacity.chair, team["lead"].id: MeetingCapacity.lead_social_worker,
        team["lead2"].id: MeetingCapacity.lead_social_worker, team["worker"].id: MeetingCapacity.client_worker}
    operations.record_attendance(team["chair"], meeting, {team["worker"].id}, meeting.starts_at)  # corrected
    assert {a.user_id for a in meeting.attendees} == {team["chair"].id, team["worker"].id}


def test_a_client_whose_service_need_changes_goes_to_sap_and_keeps_their_place(db, team, unit, registered):
    registered.phase = "placed"
    meeting = operations.schedule_meetings(team["chair"], unit, TODAY, 1, {})[0]
    item = operations.book_slot(team["worker"], meeting, registered, 15, NOW)
    assert item.reason is AgendaReason.changed_need and registered.phase == "placed"
    operations.record_outcome(team["chair"], item, DecisionOutcome.more_information, None, 12)
    assert registered.phase == "placed"  # not sent back to the assessment phase
    registered.phase = "queue"
    later = operations.schedule_meetings(team["chair"], unit, TODAY + timedelta(days=7), 1, {})[0]
    assert operations.book_slot(team["worker"], later, registered, 10, NOW).reason is AgendaReason.changed_need


def test_the_manager_reads_the_agenda_and_decisions_of_the_meeting_but_no_caseload(db, team, unit, registered,
                                                                                  sign_in):
    meeting = operations.schedule_meetings(team["chair"], unit, TODAY, 1, {})[0]
    item = operations.book_slot(team["worker"], meeting, registered, 10, NOW)
    decision = operations.record_outcome(team["chair"], item, DecisionOutcome.granted,
                                         HousingServiceType.supported, 12)
    operations.record_attendance(team["chair"], meeting, {team["lead"].id, team["worker"].id}, meeting.starts_at)
    db.session.commit()
    manager = sign_in(team["chair"])
    assert manager.get("/").headers["Location"].endswith("/intake/meetings")  # their home: the SAP meetings
    page = manager.get(f"/intake/meetings/{meeting.id}?lang=en").get_data(as_text=True)
    assert registered.client.full_name in page and "Lead One" in page  # the agenda and who attended
    shown = manager.get(f"/intake/decisions/{decision.id}?lang=en").get_data(as_text=True)
    assert "Lead One" in shown and "Worker" in shown  # the decision names who decided it
    assert manager.post(f"/intake/decisions/{decision.id}/sign").status_code == 302
    for refused in ("/intake", "/intake/assessments", "/work", f"/work/clients/{registered.client_id}"):
        assert manager.get(refused).status_code == 403, refused
