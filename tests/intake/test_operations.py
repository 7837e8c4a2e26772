"""Intake operations: every channel into one list, duplicates, assessments, the SAP agenda, decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal import signals
from portal.audit.models import AuditRecord
from portal.intake import operations, queries
from portal.intake.models import (
    AssessmentRule,
    Decision,
    DecisionMeeting,
    DecisionOutcome,
    HousingServiceType,
    IntakeChannel,
    IntakeItem,
    IntakeStatus,
)
from portal.intake.operations import IntakeError
from portal.people.models import ClientLanguage
from portal.programmes.models import Enrolment
from tests.intake.conftest import NOW, TODAY, details, notification


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("missing", ["notifier_name", "notifier_organisation", "person_informed", "person_consented"])
def test_a_section_35_notification_needs_notifier_and_consent_fields(db, team, missing):
    with pytest.raises(IntakeError):
        operations.receive(team["referrer"], IntakeChannel.notification_35, notification(**{missing: None}),
                           TODAY, TODAY)
    assert _count(db, IntakeItem) == 0


def test_a_referrer_makes_only_notifications(db, team):
    with pytest.raises(IntakeError):
        operations.receive(team["referrer"], IntakeChannel.phone, details(), TODAY, TODAY)
    item = operations.receive(team["referrer"], IntakeChannel.notification_35, notification(), TODAY, TODAY)
    assert item.status is IntakeStatus.received


def test_received_date_in_the_future_is_refused(db, team):
    with pytest.raises(IntakeError):
        operations.receive(team["worker"], IntakeChannel.paper, details(), TODAY + timedelta(days=1), TODAY)


def test_registering_opens_the_enrolment_and_the_assessment(db, team, registered):
    assert registered.programme_code == "housing-guidance" and registered.phase == "assessment"
    assert registered.coordinator_id == team["worker"].id
    assessment = queries.latest_assessment(registered.id)
    assert assessment.rule is AssessmentRule.undue_delay and assessment.start_due_on is None
    assert assessment.due_on > TODAY
    item = db.session.scalar(select(IntakeItem))
    assert item.status is IntakeStatus.registered and item.client_id == registered.client_id


def test_an_older_person_gets_the_seven_working_day_start_deadline(db, team):
    item = operations.receive(team["worker"], IntakeChannel.visit, details(birth_year=1948), TODAY, TODAY)
    enrolment = operations.register(team["worker"], item, None, TODAY)
    assessment = queries.latest_assessment(enrolment.id)
    assert assessment.rule is AssessmentRule.priority and assessment.start_due_on == date(2026, 11, 25)


def test_a_duplicate_is_flagged_refused_and_can_be_merged(db, team, registered):
    again = operations.receive(team["referrer"], IntakeChannel.notification_35, notification(), TODAY, TODAY)
    duplicate = queries.duplicates_of(again)
    assert duplicate.any and duplicate.enrolment.id == registered.id
    with pytest.raises(IntakeError):
        operations.register(team["worker"], again, None, TODAY)
    operations.merge(team["worker"], again)
    assert again.status is IntakeStatus.merged and again.enrolment_id == registered.id
    assert _count(db, Enrolment) == 1


def test_a_contact_matched_by_hand_to_a_client_with_an_open_application_is_refused(db, team, registered):
    other = operations.receive(team["worker"], IntakeChannel.phone, details(first_name="Toinen", last_name="Nimi"),
                               TODAY, TODAY)
    other.client_id = registered.client_id  # the worker chose the wrong client in the match list
    with pytest.raises(IntakeError):
        operations.register(team["worker"], other, None, TODAY)
    assert _count(db, Enrolment) == 1 and other.status is IntakeStatus.received


def test_two_open_contacts_of_the_same_person_are_duplicates(db, team):
    first = operations.receive(team["worker"], IntakeChannel.phone, details(), TODAY, TODAY)
    second = operations.receive(team["worker"], IntakeChannel.paper, details(first_name="VILLE"), TODAY, TODAY)
    assert queries.duplicates_of(second).items == [first]
    operations.merge(team["worker"], second)
    assert second.merged_into_id == first.id


def test_registering_needs_a_unit_serving_the_municipality(db, team):
    item = operations.receive(team["worker"], IntakeChannel.phone, details(), TODAY, TODAY)
    with pytest.raises(IntakeError):
        operations.register(team["stranger"], item, None, TODAY)


def test_the_client_request_is_a_server_side_draft_until_sent(db, team, create_client):
    client = create_client()
    user = client.user
    operations.save_draft(user, details(description=""))
    operations.save_draft(user, details(description="Half written"))
    assert _count(db, IntakeItem) == 1
    with pytest.raises(IntakeError):
        operations.submit_request(user, details(description=""), TODAY)
    item = operations.submit_request(user, details(), TODAY)
    assert (item.status, item.client_id, item.channel) == (IntakeStatus.received, client.id,
                                                           IntakeChannel.service_request)
    assert queries.draft_of(user) is None


def test_assessment_dates_are_checked(db, team, registered):
    assessment = queries.latest_assessment(registered.id)
    worker = team["worker"]
    with pytest.raises(IntakeError):  # completed without a summary
        operations.update_assessment(worker, assessment, None, TODAY, TODAY, "", TODAY)
    with pytest.raises(IntakeError):  # completed before started
        operations.update_assessment(worker, assessment, None, TODAY, TODAY - timedelta(days=1), "x", TODAY)
    with pytest.raises(IntakeError):  # in the future
        operations.update_assessment(worker, assessment, None, TODAY + timedelta(days=1), None, None, TODAY)
    operations.update_assessment(worker, assessment, team["lead"], TODAY, TODAY, "Tarvitsee tukea.", TODAY)
    assert assessment.worker_id == team["lead"].id
    assert queries.deadline_state(assessment, TODAY) is queries.DeadlineState.done


def test_deadline_states(db, team, registered):
    assessment = queries.latest_assessment(registered.id)
    assert queries.deadline_state(assessment, TODAY) is queries.DeadlineState.on_track
    assert queries.deadline_state(assessment, assessment.due_on - timedelta(days=2)) is queries.DeadlineState.due_soon
    assert queries.deadline_state(assessment, assessment.due_on + timedelta(days=1)) is queries.DeadlineState.late


def _meeting(db, team, unit, minutes=30) -> DecisionMeeting:
    made = operations.schedule_meetings(team["chair"], unit, TODAY, 1, {"INTAKE_SAP_MINUTES": minutes})
    db.session.flush()
    return made[0]


def test_meetings_are_twice_a_week_on_the_configured_days(db, team, unit):
    made = operations.schedule_meetings(team["chair"], unit, TODAY, 2, {})
    assert [m.starts_at.date().weekday() for m in made] == [1, 3, 1, 3]
    assert operations.schedule_meetings(team["chair"], unit, TODAY, 2, {}) == []  # kept, not doubled


def test_the_agenda_fills_up_and_refuses_overbooking(db, team, unit, registered, create_client, create_enrolment):
    meeting = _meeting(db, team, unit, minutes=30)
    operations.book_slot(team["worker"], meeting, registered, 20, NOW)
    other = create_enrolment(create_client(), coordinator=team["worker"], programme="housing-guidance")
    with pytest.raises(IntakeError, match=r"\b10\D+30\b"):  # "10 of 30 minutes are free", in any language
        operations.book_slot(team["worker"], meeting, other, 15, NOW)
    with pytest.raises(IntakeError):
        operations.book_slot(team["worker"], meeting, registered, 5, NOW)  # already on the agenda
    operations.book_slot(team["worker"], meeting, other, 10, NOW)
    lines = queries.agenda(team["worker"], meeting)
    assert [line.planned_start - meeting.starts_at for line in lines] == [timedelta(0), timedelta(minutes=20)]
    assert registered.phase == "decision"


def test_a_past_meeting_cannot_be_booked(db, team, unit, registered):
    meeting = _meeting(db, team, unit)
    with pytest.raises(IntakeError):
        operations.book_slot(team["worker"], meeting, registered, 10, meeting.starts_at + timedelta(minutes=1))


def test_outcome_decision_and_sign_off(db, team, unit, registered):
    meeting = _meeting(db, team, unit)
    item = operations.book_slot(team["worker"], meeting, registered, 10, NOW)
    with pytest.raises(IntakeError):  # only the chair
        operations.record_outcome(team["worker"], item, DecisionOutcome.rejected, None, 12)
    with pytest.raises(IntakeError):  # granted needs the service type
        operations.record_outcome(team["chair"], item, DecisionOutcome.granted, None, 12)
    decision = operations.record_outcome(team["chair"], item, DecisionOutcome.granted, HousingServiceType.communal, 14)
    assert item.actual_minutes == 14 and decision.language == "fi" and "yhteisöllinen asuminen" in decision.body
    assert decision.drafted_by_id == team["worker"].id
    assert queries.decisions_of(registered.id, signed_only=True) == []  # what the client's page reads
    with pytest.raises(IntakeError):  # a worker is not authorised
        operations.sign_decision(team["worker"], decision)
    heard = []

    def listener(sender, decision):
        heard.append((sender, decision))

    with signals.decision_signed.connected_to(listener):
        operations.sign_decision(team["lead2"], decision)
    assert decision.signed and heard == [(team["lead2"], decision)]
    with pytest.raises(IntakeError):
        operations.edit_decision(team["worker"], decision, "changed")


def test_the_drafter_never_signs_alone(db, team, unit, registered):
    meeting = _meeting(db, team, unit)
    item = operations.book_slot(team["lead"], meeting, registered, 10, NOW)  # the lead brings their own client
    decision = operations.record_outcome(team["chair"], item, DecisionOutcome.rejected, None, 8)
    with pytest.raises(IntakeError):
        operations.sign_decision(team["lead"], decision)


def test_a_swedish_speaking_client_gets_a_swedish_decision(db, team, unit, create_client, create_enrolment):
    client = create_client(language=ClientLanguage.SV)
    enrolment = create_enrolment(client, coordinator=team["worker"], programme="housing-guidance")
    item = operations.book_slot(team["worker"], _meeting(db, team, unit), enrolment, 10, NOW)
    decision = operations.record_outcome(team["chair"], item, DecisionOutcome.granted, HousingServiceType.supported, 9)
    assert decision.language == "sv" and "stött boende" in decision.body and "BESLUT" in decision.body


def test_more_information_sends_the_case_back_to_assessment(db, team, unit, registered):
    item = operations.book_slot(team["worker"], _meeting(db, team, unit), registered, 10, NOW)
    operations.record_outcome(team["chair"], item, DecisionOutcome.more_information, None, 25)
    assert registered.phase == "assessment"
    assert db.session.scalar(select(Decision.outcome)) is DecisionOutcome.more_information


def test_changes_are_audited(db, team, registered):
    assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.feature == "intake")) >= 2


def test_the_client_follows_the_application_without_internal_notes(db, team, unit, create_client, create_enrolment):
    client = create_client()
    enrolment = create_enrolment(client, coordinator=team["worker"], programme="housing-guidance")
    enrolment.phase = "assessment"
    assert queries.client_status(client.user).stage is queries.Stage.assessed
    item = operations.book_slot(team["worker"], _meeting(db, team, unit), enrolment, 10, NOW)
    decision = operations.record_outcome(team["chair"], item, DecisionOutcome.granted, HousingServiceType.supported, 9)
    status = queries.client_status(client.user)
    assert status.stage is queries.Stage.assessed and status.decisions == []  # not signed: not shown
    operations.sign_decision(team["lead2"], decision)
    status = queries.client_status(client.user)
    assert status.decisions == [decision]
    # The queues feature listens to decision_signed and queues a granted client.
    assert status.stage in (queries.Stage.decided, queries.Stage.queued)


def test_a_client_goes_only_to_their_own_units_meeting(db, team, registered):
    from portal.people.models import OrgUnit

    elsewhere = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "other-unit"))
    meeting = operations.schedule_meetings(team["chair"], elsewhere, TODAY, 1, {})[0]
    with pytest.raises(IntakeError):
        operations.book_slot(team["worker"], meeting, registered, 10, NOW)


def test_the_completion_deadline_is_configurable(app, db, team):
    app.config["INTAKE_ASSESSMENT_WORKING_DAYS"] = 10
    item = operations.receive(team["worker"], IntakeChannel.phone, details(), TODAY, TODAY)
    enrolment = operations.register(team["worker"], item, None, TODAY)
    assert queries.latest_assessment(enrolment.id).due_on == date(2026, 11, 30)
