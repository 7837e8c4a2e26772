"""Intake pages: the whole path through the forms, per-object refusals, bad input kept, reads audited."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.audit.models import AuditAction, AuditRecord
from portal.intake import operations, queries
from portal.intake.models import DecisionOutcome, HousingServiceType, IntakeChannel, IntakeItem, IntakeStatus
from portal.people.models import ClientLanguage
from tests.intake.conftest import NOW, TODAY, details

FORM = {"municipality_code": "091", "first_name": "Maija", "last_name": "Hakija", "birth_year": "1960",
        "description": "Asunto ei enää sovi.", "received_on": "2026-11-16"}


def test_a_section_35_notification_without_consent_fields_keeps_what_was_typed(client, login, team, db):
    login(team["referrer"])
    response = client.post("/intake/new", data={**FORM, "channel": "notification_35", "notifier_name": "Heikki"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Heikki"' in page and "Asunto ei enää sovi." in page
    assert db.session.scalar(select(func.count()).select_from(IntakeItem)) == 0
    response = client.post("/intake/new", data={**FORM, "channel": "notification_35", "notifier_name": "Heikki",
                                                "notifier_organisation": "Terveysasema", "person_informed": "yes",
                                                "person_consented": "yes"})
    assert response.status_code == 302


def test_a_referrer_cannot_choose_a_staff_channel(client, login, team):
    login(team["referrer"])
    assert client.post("/intake/new", data={**FORM, "channel": "phone"}).status_code == 400


def test_worker_registers_from_the_list_and_a_duplicate_is_refused(client, login, team, db):
    first = operations.receive(team["worker"], IntakeChannel.phone, details(), TODAY, TODAY)
    second = operations.receive(team["worker"], IntakeChannel.paper, details(), TODAY, TODAY)
    login(team["worker"])
    assert "Ville Asukas" in client.get("/intake").get_data(as_text=True)
    page = client.get(f"/intake/items/{second.id}").get_data(as_text=True)
    assert f"/intake/items/{second.id}/merge" in page  # flagged: the merge button is offered
    assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.object_type == "intake_item", AuditRecord.action == AuditAction.READ)) == 1
    response = client.post(f"/intake/items/{second.id}/register")
    assert response.status_code == 400
    assert db.session.get(IntakeItem, second.id).status is IntakeStatus.received
    assert client.post(f"/intake/items/{second.id}/merge").status_code == 302
    assert client.post(f"/intake/items/{first.id}/register").status_code == 302
    db.session.expire_all()
    assert db.session.get(IntakeItem, first.id).status is IntakeStatus.registered


def test_another_units_worker_and_non_caseworkers_are_refused(sign_in, team, registered):
    assessment = queries.latest_assessment(registered.id)
    stranger = sign_in(team["stranger"])
    assert stranger.get(f"/intake/items/{assessment.intake_item_id}").status_code == 403
    assert stranger.get(f"/intake/assessments/{assessment.id}").status_code == 403
    assert "Ville" not in stranger.get("/intake/assessments").get_data(as_text=True)
    for who in ("queue", "housing", "referrer"):
        browser = sign_in(team[who])
        assert browser.get(f"/intake/assessments/{assessment.id}").status_code == 403
        assert browser.get("/intake/assessments").status_code == 403


def test_viewing_an_assessment_is_audited_and_bad_dates_are_refused(client, login, team, registered, db):
    assessment = queries.latest_assessment(registered.id)
    login(team["worker"])
    assert client.get(f"/intake/assessments/{assessment.id}").status_code == 200
    reads = db.session.scalars(select(AuditRecord).where(
        AuditRecord.feature == "intake", AuditRecord.action == AuditAction.READ,
        AuditRecord.object_type == "assessment")).all()
    assert len(reads) == 1 and reads[0].client_id == registered.client_id
    response = client.post(f"/intake/assessments/{assessment.id}", data={
        "worker_id": team["worker"].id, "started_on": "2026-11-17", "completed_on": "2026-11-16",
        "summary": "Kirjoitettu yhteenveto"})
    assert response.status_code == 400 and "Kirjoitettu yhteenveto" in response.get_data(as_text=True)
    db.session.expire_all()
    assert queries.latest_assessment(registered.id).summary is None


def _decided(db, team, unit, client_row, create_enrolment, sign: bool):
    enrolment = create_enrolment(client_row, coordinator=team["worker"], programme="housing-guidance")
    meeting = operations.schedule_meetings(team["chair"], unit, TODAY, 1, {})[0]
    item = operations.book_slot(team["worker"], meeting, enrolment, 10, NOW)
    decision = operations.record_outcome(team["chair"], item, DecisionOutcome.granted, HousingServiceType.supported, 12)
    if sign:
        operations.sign_decision(team["lead2"], decision)
    db.session.commit()
    return decision


def test_the_client_sees_only_their_own_signed_decision(sign_in, team, unit, db, create_client, create_enrolment):
    elsa = create_client(language=ClientLanguage.SV)
    decision = _decided(db, team, unit, elsa, create_enrolment, sign=False)
    client = sign_in(elsa.user)
    assert client.get(f"/housing/decisions/{decision.id}/print").status_code == 403  # unsigned
    assert "stött boende" not in client.get("/me/housing").get_data(as_text=True)
    operations.sign_decision(team["lead2"], decision)
    db.session.commit()
    response = client.get(f"/housing/decisions/{decision.id}/print")
    assert response.status_code == 200 and "stött boende" in response.get_data(as_text=True)
    assert 'lang="sv"' in response.get_data(as_text=True)
    other = sign_in(create_client().user)
    assert other.get(f"/housing/decisions/{decision.id}/print").status_code == 403


def test_only_a_team_lead_who_did_not_draft_signs(sign_in, team, unit, db, create_client, create_enrolment):
    decision = _decided(db, team, unit, create_client(), create_enrolment, sign=False)
    assert sign_in(team["worker"]).post(f"/intake/decisions/{decision.id}/sign").status_code == 400
    assert sign_in(team["lead2"]).post(f"/intake/decisions/{decision.id}/sign").status_code == 302


def test_the_client_saves_a_draft_and_sends_the_request(client, login, create_client, db, team):
    aino = create_client()
    login(aino.user)
    assert client.get("/me/housing/request").status_code == 200
    response = client.post("/me/housing/request", data={**FORM, "description": "", "action": "draft"})
    assert response.status_code == 302
    assert queries.draft_of(aino.user) is not None
    response = client.post("/me/housing/request", data={**FORM, "description": "", "action": "send"})
    assert response.status_code == 400
    response = client.post("/me/housing/request", data={**FORM, "action": "send"})
    assert response.status_code == 302
    db.session.expire_all()
    page = client.get("/me/housing").get_data(as_text=True)
    assert 'aria-current="step"' in page
    assert db.session.scalar(select(IntakeItem.status)) is IntakeStatus.received


def test_overbooking_the_meeting_shows_a_clear_error(client, login, sign_in, team, unit, db, registered):
    meeting = operations.schedule_meetings(team["chair"], unit, date.today() + timedelta(days=1), 1,
                                           {"INTAKE_SAP_MINUTES": 10})[0]
    db.session.commit()
    login(team["worker"])
    response = client.post(f"/intake/meetings/{meeting.id}/book", data={
        "enrolment_id": registered.id, "estimated_minutes": "15"})
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    assert client.post(f"/intake/meetings/{meeting.id}/book", data={
        "enrolment_id": registered.id, "estimated_minutes": "10"}).status_code == 302
    assert sign_in(team["stranger"]).get(f"/intake/meetings/{meeting.id}").status_code == 403


def test_the_chair_records_the_outcome_and_a_worker_cannot(sign_in, team, unit, db, registered):
    meeting = operations.schedule_meetings(team["chair"], unit, TODAY, 1, {})[0]
    item = operations.book_slot(team["worker"], meeting, registered, 10, NOW)
    db.session.commit()
    prefix = f"item{item.id}-"
    form = {prefix + "outcome": "granted", prefix + "service_type": "", prefix + "actual_minutes": "14"}
    assert sign_in(team["worker"]).post(f"/intake/agenda/{item.id}/outcome", data=form).status_code == 403
    # Seed 001: the service-unit manager chairs SAP; the lead social worker sits in it but does not chair.
    assert sign_in(team["lead"]).post(f"/intake/agenda/{item.id}/outcome", data=form).status_code == 403
    lead = sign_in(team["chair"])
    assert lead.post(f"/intake/agenda/{item.id}/outcome", data=form).status_code == 400  # granted without service
    form[prefix + "service_type"] = "round_the_clock"
    assert lead.post(f"/intake/agenda/{item.id}/outcome", data=form).status_code == 302
    db.session.expire_all()
    item = db.session.get(type(item), item.id)
    assert (item.outcome, item.actual_minutes) == (DecisionOutcome.granted, 14)
    assert lead.get(f"/intake/meetings/{meeting.id}").status_code == 200
