"""Every route, with every role and anonymously: who gets in and who is refused.

A new route without an entry in ACCESS fails ``test_every_route_is_in_the_matrix``: access rules are
decided when a route is written, not later.
"""

from __future__ import annotations

import shutil
from datetime import date, time

import pytest

from portal.auth.models import Role, User
from portal.people.models import Client
from portal.programmes.definitions_schema import Modality
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment
from portal.scheduling.operations import BookingRequest, book
from portal.scheduling.timeutil import local

ROLES = ["client", *[r.value for r in Role]]
PUBLIC = "public"
CASEWORK = {"worker", "care_coordinator", "team_lead"}
ANY_SIGNED_IN = set(ROLES)
CLIENT_OR_CASEWORK = CASEWORK | {"client"}
SAP = CASEWORK | {"service_manager"}  # seed 001: the service-unit manager chairs the decision meeting
FHIR = "fhir"  # like CLIENT_OR_CASEWORK, but anonymous gets 401 (an API answers, it does not redirect)
API = "api"  # any signed-in user; anonymous gets 401
TICKET = "ticket"  # a signaling ticket, not a session: 401 for everyone without one (tests/video_rooms)
PROBE = "probe"  # public, answers 200 or 503 (readiness); /metrics is limited by address: tests/ops
OAUTH = "oauth"  # an OAuth endpoint (portal/smart): 400/401 without a grant, signed in or not (tests/interop)
SYSTEM_API = "system-api"  # backend services' tokens only (bulk export): anonymous 401, any session 403
STAFF = set(ROLES) - {"client"}

# endpoint → (method, who may use it). Everyone else: anonymous → login redirect, signed in → 403.
ACCESS: dict[str, tuple[str, set[str] | str]] = {
    "static": ("GET", PUBLIC),
    "core.index": ("GET", PUBLIC),
    "ops.healthz": ("GET", PUBLIC),
    "ops.readyz": ("GET", PROBE),
    "ops.metrics_page": ("GET", PUBLIC),
    "core.accessibility": ("GET", PUBLIC),
    "core.account": ("GET", ANY_SIGNED_IN),
    "auth.login": ("GET", PUBLIC),
    "auth.oidc_start": ("GET", PUBLIC),
    "auth.oidc_callback": ("GET", PUBLIC),
    "auth.logout": ("POST", ANY_SIGNED_IN),
    "auth.end_other_sessions": ("POST", ANY_SIGNED_IN),  # ends the others, keeps this one: tests/auth/test_sessions.py
    "auth.language": ("POST", PUBLIC),
    # Accounts (tests/auth): links carry a one-time token; the matrix gives a forged one (404).
    "auth.activate_account": ("GET", PUBLIC),
    "auth.reset": ("GET", PUBLIC),
    "auth.forgot_password": ("GET", PUBLIC),
    "auth.second_factor": ("GET", PUBLIC),
    "auth.enrol_at_sign_in": ("GET", PUBLIC),
    "auth.change_own_password": ("GET", ANY_SIGNED_IN),
    "auth.two_step": ("GET", ANY_SIGNED_IN),
    "auth.two_step_off": ("POST", ANY_SIGNED_IN),
    "auth.new_recovery_codes": ("POST", ANY_SIGNED_IN),
    "me.home": ("GET", {"client"}),
    "me.profile": ("GET", {"client"}),
    "me.practice": ("GET", {"client"}),
    "me.calm_mode": ("POST", {"client"}),
    "audit.my_access_log": ("GET", {"client"}),
    "caseload.index": ("GET", CASEWORK),
    "caseload.client": ("GET", CASEWORK),
    "caseload.background": ("GET", CASEWORK),
    # The worker's day (tests/tasks): who may handle a real task is object-level; the matrix gives a missing one.
    "tasks.today": ("GET", CASEWORK),
    "tasks.task_list": ("GET", CASEWORK),
    "tasks.handle": ("POST", CASEWORK),
    "tasks.move": ("GET", CASEWORK),
    "audit.search": ("GET", {"admin"}),
    "audit.reveal": ("POST", {"admin"}),  # a client that does not exist; reasons and names: tests/audit
    "admin.index": ("GET", {"admin"}),
    "admin.programme": ("GET", {"admin"}),
    "admin.users": ("GET", {"admin"}),
    "admin.user": ("GET", {"admin"}),
    "admin.new_user": ("GET", {"admin"}),
    "admin.user_action": ("POST", {"admin"}),
    "admin.units": ("GET", {"admin"}),
    "admin.new_unit": ("GET", {"admin"}),
    "admin.unit": ("GET", {"admin"}),
    "admin.municipalities": ("GET", {"admin"}),
    "admin.municipality": ("GET", {"admin"}),
    "admin.housing_units": ("GET", {"admin"}),
    "admin.new_housing_unit": ("GET", {"admin"}),
    "admin.housing_unit": ("GET", {"admin"}),
    "admin.queues": ("GET", {"admin"}),
    "admin.queue_keepers": ("POST", {"admin"}),
    "scheduling.index": ("GET", CASEWORK),
    "scheduling.team": ("GET", {"team_lead"}),
    "scheduling.book": ("GET", CASEWORK),
    "scheduling.cancel": ("POST", CASEWORK),
    "scheduling.working_hours": ("GET", CASEWORK),
    "scheduling.absences": ("GET", CASEWORK),
    "scheduling.remove_absence": ("POST", CASEWORK),
    "groups.index": ("GET", CASEWORK),
    "groups.new": ("GET", CASEWORK),
    "groups.show": ("GET", CASEWORK),
    "groups.add_member": ("POST", CASEWORK),
    "groups.remove_member": ("POST", CASEWORK),
    "groups.sessions": ("GET", CASEWORK),
    "groups.attendance": ("GET", CASEWORK),
    # Object level (the appointment's workers, the client's coordinator or deputy, a team lead of the unit;
    # someone else's client → 403, a group session → 404): tests/meetings/test_routes.py.
    "meetings.record": ("GET", CASEWORK),
    "meetings.pending": ("GET", CASEWORK),
    "appointments.index": ("GET", {"client"}),
    "appointments.confirm": ("POST", {"client"}),
    "appointments.cancel": ("GET", {"client"}),  # asks first; the confirmed POST: tests/appointments
    "appointments.change": ("GET", {"client"}),
    "appointments.download": ("GET", {"client"}),
    "appointments.create_feed": ("POST", {"client"}),
    "appointments.revoke_feed": ("POST", {"client"}),
    "appointments.feed": ("GET", PUBLIC),
    "notifications.outbox": ("GET", {"admin"}),
    "interop.patient": ("GET", FHIR),
    # SMART on FHIR and bulk export: tokens, scopes, units and the launch are tested in tests/interop/test_smart.py.
    "smart.configuration": ("GET", PUBLIC),
    "smart.authorize": ("GET", ANY_SIGNED_IN),  # the matrix names no registered app: 404
    "smart.token": ("POST", OAUTH),
    "smart.revoke": ("POST", OAUTH),
    "bulk.export": ("GET", SYSTEM_API),  # $export and Group/<unit id>/$export
    "bulk.status": ("GET", SYSTEM_API),
    "bulk.file": ("GET", SYSTEM_API),
    # Video rooms are object level (the appointment's own workers and client, invite holders; anyone else
    # → 404): tests/video_rooms/test_routes.py. The matrix gives them a room that does not exist.
    "video.index": ("GET", ANY_SIGNED_IN),
    "video.open_appointment": ("POST", ANY_SIGNED_IN),
    "video.start_adhoc": ("POST", CASEWORK),
    "video.reopen": ("POST", CASEWORK),  # the host only; others 403/404: tests/video_rooms/test_adhoc.py
    "video.room": ("GET", PUBLIC),  # invite guests have no account
    "video.invites": ("GET", STAFF),
    "video.revoke_invite": ("POST", STAFF),
    "video.invite": ("GET", PUBLIC),
    "video.left": ("GET", PUBLIC),
    "video.fallback": ("POST", PUBLIC),
    "video.step_away": ("POST", PUBLIC),  # a participant of the room; 404 otherwise
    "video.keepalive": ("POST", PUBLIC),  # a participant of the room (invite guests too); 404 otherwise
    "video.echo_test": ("POST", API),
    "video.echo_result": ("POST", {"client"}),  # a client's own practice result (tests/me/test_practice_result.py)
    "video.ice_servers": ("GET", TICKET),
    "interop.appointment": ("GET", FHIR),
    "interop.appointment_search": ("GET", FHIR),
    # The FHIR facade (tests/interop/test_facade.py): metadata is public; the directory any signed-in reader
    # (a client: the staff they meet); a compartment is the patient's; any other path is 404 after the sign-in.
    "interop.metadata": ("GET", PUBLIC),
    "interop.practitioner": ("GET", API),
    "interop.practitioner_role": ("GET", API),
    "interop.practitioner_role_search": ("GET", API),
    "interop.organization": ("GET", API),
    "interop.patient_compartment": ("GET", FHIR),
    "interop.unknown": ("GET", API),
    "measures.my_results": ("GET", {"client"}),
    "measures.answer": ("GET", {"client"}),
    "measures.save_draft": ("POST", {"client"}),
    "measures.overview": ("GET", CASEWORK),
    "measures.client_graph": ("POST", CASEWORK),
    "measures.enter": ("GET", CASEWORK),
    "measures.correct": ("GET", CASEWORK),
    "measures.export": ("GET", CASEWORK),
    # Questionnaires by link (tests/measures/test_links.py): the worker sends one (here a questionnaire not open:
    # refused with a notice); the link is public but token-gated (a forged token: the plain 404 page, no data).
    "measures.send_link": ("POST", CASEWORK),
    "measures.by_link": ("GET", PUBLIC),
    "auth.keepalive": ("POST", API),  # the idle warning's "keep me signed in": anonymous 401 (tests/auth)
    "drafts.save": ("POST", ANY_SIGNED_IN),  # the writer's own draft only (tests/drafts)
    "interop.questionnaire_read": ("GET", API),
    "interop.questionnaire_search": ("GET", API),
    "interop.questionnaire_response": ("GET", FHIR),
    "interop.questionnaire_response_search": ("GET", FHIR),
    # Plans: reading is the enrolment's client and its workers; the POSTs are given an id that does not
    # exist (object-level rules, bad input and forged ids: tests/plans).
    "plans.static": ("GET", PUBLIC),
    "plans.mine": ("GET", {"client"}),
    "plans.show": ("GET", CLIENT_OR_CASEWORK),
    "plans.print_view": ("GET", CLIENT_OR_CASEWORK),
    "plans.versions": ("GET", CLIENT_OR_CASEWORK),
    "plans.add_goal": ("POST", CLIENT_OR_CASEWORK),
    "plans.add_note": ("POST", CLIENT_OR_CASEWORK),
    "plans.step_done": ("POST", CLIENT_OR_CASEWORK),
    "plans.goal_status": ("POST", CASEWORK),
    "plans.add_step": ("POST", CASEWORK),
    "plans.review": ("POST", CASEWORK),
    "plans.estimate": ("POST", CASEWORK),  # PPT phase 1 only, with the client: tests/plans/test_estimate.py
    "plans.book_review": ("POST", CASEWORK),
    "plans.agree": ("POST", CASEWORK),
    "plans.phase": ("POST", CASEWORK),
    "plans.break_glass": ("POST", CASEWORK),
    "plans.continuation": ("GET", CASEWORK),
    # Messages: threads, attachments and callbacks are given ids that do not exist (forged ids, other
    # clients' threads, bad input: tests/messages).
    "messages.mine": ("GET", {"client"}),
    "messages.new_thread": ("GET", CLIENT_OR_CASEWORK),
    "messages.thread": ("GET", CLIENT_OR_CASEWORK),
    "messages.reply": ("POST", CLIENT_OR_CASEWORK),
    "messages.draft": ("POST", CLIENT_OR_CASEWORK),
    "messages.after": ("GET", CLIENT_OR_CASEWORK),
    "messages.attachment": ("GET", CLIENT_OR_CASEWORK),
    "messages.callback": ("GET", {"client"}),
    "messages.inbox": ("GET", CASEWORK),
    "messages.team_inbox": ("GET", CASEWORK),
    "messages.callback_handled": ("POST", CASEWORK),
    "interop.care_plan": ("GET", FHIR),
    "interop.care_plan_search": ("GET", FHIR),
    "interop.care_team": ("GET", FHIR),
    "interop.care_team_search": ("GET", FHIR),
    # groups: closing a group (a real group's leader / team lead: tests/groups)
    "groups.close": ("GET", CASEWORK),
    # scheduling: call slots (others' slots, taken slots, colleagues' slots: tests/scheduling/test_call_slots.py)
    "scheduling.call_slots": ("GET", CASEWORK),
    "scheduling.remove_call_slot": ("POST", CASEWORK),
    "scheduling.series_result": ("GET", CASEWORK),  # one's own booking; others 403/404: tests/scheduling
    "scheduling.take_call_slot": ("POST", CASEWORK),
    # intake (seed 001): pages with an id are given one that does not exist (INTAKE_IDS); object-level rules
    # (another unit's contacts and assessments, the queue coordinator and housing units never seeing
    # assessments, a client's own decision only once signed): tests/intake/test_routes.py.
    "intake.static": ("GET", PUBLIC),
    "intake.index": ("GET", CASEWORK),
    "intake.new": ("GET", CASEWORK | {"referrer"}),
    "intake.item": ("GET", CASEWORK),
    "intake.register": ("POST", CASEWORK),
    "intake.merge": ("POST", CASEWORK),
    "intake.assessments": ("GET", CASEWORK),
    "intake.assessment": ("GET", CASEWORK),
    "intake.meetings": ("GET", SAP),
    "intake.meeting": ("GET", SAP),
    "intake.attendance": ("POST", SAP),  # only the chair: tests/intake/test_sap_members.py
    "intake.book_slot": ("POST", CASEWORK),
    "intake.record_outcome": ("POST", SAP),
    "intake.decisions": ("GET", SAP),
    "intake.decision": ("GET", SAP),
    "intake.sign": ("POST", SAP),
    "intake.decision_print": ("GET", CLIENT_OR_CASEWORK | {"service_manager"}),
    "intake.mine": ("GET", {"client"}),
    "intake.my_assessment": ("GET", {"client"}),
    # the client's network (seeds 003, 004): the client's team records it; the client sees what they wished to.
    # Another worker's client, the shown-to-client flag, bad input: tests/network.
    "network.index": ("GET", CASEWORK),
    "network.edit": ("GET", CASEWORK),
    "network.remove": ("POST", CASEWORK),
    "network.mine": ("GET", {"client"}),
    "intake.service_request": ("GET", {"client"}),
    # referrals (seed 004): ids that do not exist (REFERRAL_IDS); another referrer's referral, a worker of another
    # unit, contacts of a client the worker is not named on: tests/referrals/test_routes.py.
    "referrals.mine": ("GET", {"referrer"}),
    "referrals.new_referral": ("GET", {"referrer"}),
    "referrals.new_consultation": ("GET", {"referrer"}),
    "referrals.inbox": ("GET", CASEWORK),
    "referrals.show": ("GET", CASEWORK | {"referrer"}),
    "referrals.accept": ("POST", CASEWORK),
    "referrals.answer": ("POST", CASEWORK),
    "referrals.log_contact": ("GET", CASEWORK),
    # plans and messages: staff photos (whose photo a client may see: tests/plans/test_photos.py; the photo
    # asked for here does not exist) and the navigation's unread counter
    "plans.upload_photo": ("GET", STAFF),
    "plans.remove_photo": ("POST", STAFF),
    "plans.staff_photo": ("GET", ANY_SIGNED_IN),
    "messages.unread": ("GET", CLIENT_OR_CASEWORK),
    # reports: the matrix asks for the housing report (the queue coordinator's too); another programme refused to
    # the queue coordinator, a team lead's other units, a worker's scope, bad filters: tests/reports/test_pages.py.
    "reports.index": ("GET", CASEWORK | {"queue_coordinator"}),
    "reports.show": ("GET", CASEWORK | {"queue_coordinator"}),
    "reports.csv": ("GET", CASEWORK | {"queue_coordinator"}),
    # the open answers of confidential client feedback (seeds 000, 002): team leads only (tests/reports/test_pages.py)
    "reports.comments": ("GET", {"team_lead"}),
    # queues (seed 001): ids that do not exist (QUEUE_IDS); unit A's staff refused unit B's unit, vacancy and
    # residency, coordinators who do not keep the queue, case workers of other clients: tests/queues/test_routes.py.
    "queues.index": ("GET", {"queue_coordinator"}),
    "queues.show": ("GET", {"queue_coordinator"}),
    "queues.priority": ("POST", {"queue_coordinator"}),
    "queues.vacancy": ("GET", {"queue_coordinator", "housing_unit"}),
    "queues.offer": ("POST", {"queue_coordinator"}),
    "queues.answer": ("POST", {"queue_coordinator"}),
    "queues.units": ("GET", {"queue_coordinator", "housing_unit"}),
    "queues.unit": ("GET", {"queue_coordinator", "housing_unit"}),
    "queues.report_vacancy": ("POST", {"queue_coordinator", "housing_unit"}),
    "queues.end_residency": ("POST", {"queue_coordinator", "housing_unit"}),
    "queues.client_status": ("GET", CASEWORK | {"queue_coordinator"}),
    # clients (issue 13): finding and registering clients in the worker's own units, the activation code; another
    # unit's worker, the duplicate step, bad codes, expired and reused activation codes: tests/people.
    "caseload.clients": ("GET", CASEWORK),
    "caseload.register": ("GET", CASEWORK),
    "caseload.activation": ("GET", CASEWORK),
    "caseload.identity_code": ("GET", CASEWORK),
    "people.activate": ("GET", PUBLIC),
    # service lifecycle (issue 13): starting needs the client in the worker's units (or a service they see);
    # people, handover and end need the coordinator, the deputy or a team lead of the unit (team members and
    # the deciding worker only read); other workers' services, bad input, ended services: tests/programmes.
    "programmes.choose": ("GET", CASEWORK),
    "programmes.start": ("GET", CASEWORK),
    "programmes.people": ("GET", CASEWORK),
    "programmes.remove_team_member": ("POST", CASEWORK),
    "programmes.transfer": ("GET", CASEWORK),
    "programmes.end": ("GET", CASEWORK),
}
INTAKE_IDS = {"intake.static": {"filename": "intake.css"}, "intake.item": {"item_id": 999999},
              "intake.register": {"item_id": 999999}, "intake.merge": {"item_id": 999999},
              "intake.assessment": {"assessment_id": 999999}, "intake.meeting": {"meeting_id": 999999},
              "intake.book_slot": {"meeting_id": 999999}, "intake.record_outcome": {"item_id": 999999},
              "intake.decision": {"decision_id": 999999}, "intake.sign": {"decision_id": 999999},
              "intake.decision_print": {"decision_id": 999999}, "intake.attendance": {"meeting_id": 999999}}
NETWORK_IDS = {"network.edit": {"contact_id": 999999}, "network.remove": {"contact_id": 999999}}
QUEUE_IDS = {"queues.priority": {"entry_id": 999999}, "queues.vacancy": {"vacancy_id": 999999},
             "queues.offer": {"vacancy_id": 999999}, "queues.answer": {"offer_id": 999999},
             "queues.unit": {"unit_id": 999999}, "queues.report_vacancy": {"unit_id": 999999},
             "queues.end_residency": {"residency_id": 999999}, "queues.client_status": {"enrolment_id": 999999}}
# Public routes that answer 404 for the made-up value the matrix gives them.
# Group pages are given a group that does not exist: whether a worker may open a real group (its leader,
# or a team lead of its unit) is object-level and tested in tests/groups.
GROUP_PAGES = {"groups.show", "groups.add_member", "groups.remove_member", "groups.sessions", "groups.attendance",
               "groups.close"}
VIDEO_ROOM_PAGES = {"video.open_appointment", "video.room", "video.invites", "video.revoke_invite", "video.invite",
                    "video.fallback", "video.keepalive", "video.reopen", "video.step_away"}
# Measures pages are given the ORS of the world's appointment (in 2030: not open yet) and an answer that
# does not exist; answering, entering and correcting real ones is tested in tests/measures.
MEASURE_PAGES = {"measures.answer", "measures.save_draft", "measures.enter", "measures.correct"}
PLAN_POSTS = {"plans.add_goal", "plans.add_note", "plans.step_done", "plans.goal_status", "plans.add_step",
              "plans.review", "plans.book_review", "plans.agree", "plans.phase", "plans.break_glass", "plans.estimate"}
MESSAGE_IDS = {"messages.thread": {"thread_id": 999999}, "messages.reply": {"thread_id": 999999},
               "messages.draft": {"thread_id": 999999}, "messages.after": {"thread_id": 999999, "message_id": 0},
               "messages.attachment": {"attachment_id": 999999}, "messages.callback_handled": {"callback_id": 999999}}
REFERRAL_IDS = {"referrals.show": {"referral_id": 999999}, "referrals.accept": {"referral_id": 999999},
                "referrals.answer": {"referral_id": 999999}, "referrals.log_contact": {"enrolment_id": 999999}}
TASK_IDS = {"tasks.handle": {"task_id": 999999}, "tasks.move": {"task_id": 999999}}
# Let in, but an empty form is refused as bad input (the page comes back with its errors, status 400).
EMPTY_FORM_400 = {"video.start_adhoc", "video.echo_result"}
NOT_FOUND_OK = {"auth.oidc_start", "auth.oidc_callback", "auth.activate_account", "auth.reset", "admin.housing_unit",
                "appointments.feed", "measures.by_link", "scheduling.remove_absence", "audit.reveal", "smart.authorize",
                "scheduling.remove_call_slot", "scheduling.take_call_slot", "scheduling.series_result",
                *GROUP_PAGES, *VIDEO_ROOM_PAGES, *MEASURE_PAGES, *PLAN_POSTS, *MESSAGE_IDS, *REFERRAL_IDS,
                "interop.care_plan", "interop.unknown", "plans.staff_photo", *(set(INTAKE_IDS) - {"intake.static"}),
                *QUEUE_IDS, *TASK_IDS, *NETWORK_IDS}


# The world is made once per module and its database file kept: each case starts from a copy of it (as
# every test starts from a copy of the migrated template), so cases stay independent and ~2 800 of them
# do not each create fourteen accounts.
_SNAPSHOT: dict[str, dict] = {}  # per test module: another module may borrow the world fixture (HTML check)


@pytest.fixture(scope="module")
def _matrix_app(tmp_path_factory):
    """One app for the module: a case only swaps the database file under it (making an app costs more
    than the request a case makes)."""
    from tests.conftest import make_app

    path = tmp_path_factory.mktemp("matrix") / "silta.sqlite3"
    return make_app(f"sqlite:///{path}"), path


@pytest.fixture
def app(_matrix_app, sqlite_template):
    from portal.extensions import db as _db

    app, path = _matrix_app
    with app.app_context():
        _db.engine.dispose()  # no connection may outlive the file it was opened on
        shutil.copy(_SNAPSHOT.get(__name__, {}).get("path", sqlite_template), path)
        yield app
        _db.session.remove()


@pytest.fixture
def world(app, db, request, tmp_path_factory):
    """One user per role; the client is enrolled with the case-work roles as coordinator, deputy, lead."""
    snapshot_of = _SNAPSHOT.setdefault(request.module.__name__, {})
    if "ids" not in snapshot_of:
        create_staff, create_client, create_enrolment = (
            request.getfixturevalue(name) for name in ("create_staff", "create_client", "create_enrolment"))
        users = {role.value: create_staff(role) for role in Role}
        client_row = create_client()
        users["client"] = client_row.user
        enrolment = create_enrolment(client_row, coordinator=users["worker"], deputy=users["care_coordinator"])
        appointment, _ = book(users["worker"], BookingRequest(
            enrolment=enrolment, contact_type="guidance-meeting", modality=Modality.HOME_VISIT,
            starts_at=local(date(2030, 1, 7), time(10)), minutes=60))
        db.session.commit()
        snapshot = tmp_path_factory.mktemp("matrix-world") / "world.sqlite3"
        db.engine.dispose()  # every write is in the file before it is copied
        shutil.copy(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), snapshot)
        snapshot_of.update(path=snapshot, ids={"users": {k: u.id for k, u in users.items()}, "client": client_row.id,
                                             "enrolment": enrolment.id, "appointment": appointment.id})
        return {"users": users, "client": client_row, "enrolment": enrolment, "appointment": appointment}
    ids = snapshot_of["ids"]
    return {"users": {k: db.session.get(User, i) for k, i in ids["users"].items()},
            "client": db.session.get(Client, ids["client"]), "enrolment": db.session.get(Enrolment, ids["enrolment"]),
            "appointment": db.session.get(Appointment, ids["appointment"])}


def _url(app, endpoint: str, world) -> str:
    args = {
        "static": {"filename": "silta.css"},
        "auth.oidc_start": {"provider": "nope"},
        "auth.oidc_callback": {"provider": "nope"},
        "auth.activate_account": {"token": "forged-token"}, "auth.reset": {"token": "forged-token"},
        "audit.reveal": {"client_id": 999999},
        "caseload.client": {"client_id": world["client"].id},
        "caseload.background": {"client_id": world["client"].id},
        "network.index": {"client_id": world["client"].id}, **NETWORK_IDS,
        "caseload.activation": {"client_id": world["client"].id},
        "caseload.identity_code": {"client_id": world["client"].id},
        "programmes.choose": {"client_id": world["client"].id},
        "programmes.start": {"client_id": world["client"].id, "code": "remote-guidance"},
        "programmes.people": {"enrolment_id": world["enrolment"].id},
        "programmes.remove_team_member": {"enrolment_id": world["enrolment"].id, "user_id": 999999},
        "programmes.transfer": {"enrolment_id": world["enrolment"].id},
        "programmes.end": {"enrolment_id": world["enrolment"].id},
        "admin.programme": {"code": "remote-guidance"},
        "admin.user": {"user_id": world["users"]["worker"].id},
        "admin.user_action": {"user_id": world["users"]["worker"].id, "action": "reactivate"},
        "admin.unit": {"unit_id": world["enrolment"].unit_id}, "admin.municipality": {"code": "091"},
        "admin.housing_unit": {"unit_id": 999999}, "admin.queue_keepers": {"service_type": "supported"},
        "scheduling.book": {"enrolment_id": world["enrolment"].id},
        "scheduling.cancel": {"appointment_id": world["appointment"].id},
        "appointments.confirm": {"appointment_id": world["appointment"].id},
        "appointments.cancel": {"appointment_id": world["appointment"].id},
        "appointments.change": {"appointment_id": world["appointment"].id},
        "appointments.download": {"appointment_id": world["appointment"].id},
        "appointments.feed": {"token": "not-a-real-token"},
        "measures.by_link": {"token": "not-a-real-token"},
        "drafts.save": {"key": "callback:999999"},
        "scheduling.remove_absence": {"absence_id": 999999},  # own absences: tests/scheduling/test_hours.py
        "scheduling.remove_call_slot": {"slot_id": 999999},
        "scheduling.series_result": {"key": "no-such-series"},
        "scheduling.take_call_slot": {"slot_id": 999999, "enrolment_id": world["enrolment"].id},
        "groups.show": {"group_id": 999999},
        "groups.add_member": {"group_id": 999999},
        "groups.remove_member": {"group_id": 999999, "member_id": 1},
        "groups.sessions": {"group_id": 999999},
        "groups.attendance": {"group_id": 999999, "appointment_id": 1},
        "groups.close": {"group_id": 999999},
        "meetings.record": {"appointment_id": world["appointment"].id},
        "interop.patient": {"resource_id": world["client"].id},
        "video.open_appointment": {"appointment_id": world["appointment"].id},
        "video.room": {"key": "no-such-room"},
        "video.invites": {"key": "no-such-room"},
        "video.revoke_invite": {"key": "no-such-room", "invite_id": 1},
        "video.invite": {"token": "not-a-real-token"},
        "video.fallback": {"key": "no-such-room"},
        "video.keepalive": {"key": "no-such-room"},
        "video.step_away": {"key": "no-such-room"},
        "video.reopen": {"key": "no-such-room"},
        "interop.appointment": {"resource_id": world["appointment"].id},
        "interop.appointment_search": {"patient": f"Patient/{world['client'].id}"},
        "interop.practitioner": {"resource_id": world["users"]["worker"].id},
        "interop.practitioner_role": {"resource_id": f"{world['users']['worker'].id}-{world['enrolment'].unit_id}"},
        "interop.practitioner_role_search": {"practitioner": f"Practitioner/{world['users']['worker'].id}"},
        "interop.organization": {"resource_id": world["enrolment"].unit_id},
        "interop.patient_compartment": {"patient_id": world["client"].id, "resource_type": "Appointment"},
        "interop.unknown": {"rest": "Observation"},
        **_measure_args(world),
        **_plan_args(world),
        **REFERRAL_IDS,
        "bulk.export": {"unit_id": 999999}, "bulk.status": {"export_id": "0" * 32},
        "bulk.file": {"export_id": "0" * 32, "resource_type": "Patient"},
        **TASK_IDS,
        **INTAKE_IDS,
        **QUEUE_IDS, "queues.show": {"service_type": "supported"},
        "reports.show": {"programme": "housing-guidance"}, "reports.csv": {"programme": "housing-guidance"},
        "reports.comments": {"programme": "intensive-rehabilitation"},
    }.get(endpoint, {})
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **args)


def _measure_args(world) -> dict:
    ors = {"enrolment_id": world["enrolment"].id, "code": "ors", "key": f"appt-{world['appointment'].id}"}
    return {"measures.answer": ors, "measures.save_draft": ors, "measures.enter": ors, "measures.send_link": ors,
            "measures.overview": {"enrolment_id": world["enrolment"].id},
            "measures.client_graph": {"enrolment_id": world["enrolment"].id},
            "measures.correct": {"answer_id": 999999},
            "measures.export": {"programme_code": "remote-guidance"},
            "interop.questionnaire_read": {"resource_id": _measure_answer(world).instrument_id},
            "interop.questionnaire_response": {"resource_id": _measure_answer(world).id},
            "interop.questionnaire_response_search": {"subject": f"Patient/{world['client'].id}"}}


def _measure_answer(world):
    """A submitted ORS of the world's client, entered from paper (FHIR reads need a real one)."""
    if "answer" not in world:
        from portal.extensions import db
        from portal.measures import operations
        from portal.measures.models import AnswerSource
        from portal.measures.schedule import Occurrence

        appointment = world["appointment"]
        occurrence = Occurrence("ors", f"appt-{appointment.id}", appointment.starts_at, appointment.ends_at,
                                appointment.id)
        version = operations.instrument_version("ors")
        scores = {"individually": "5", "interpersonally": "5", "socially": "5", "overall": "5"}
        world["answer"] = operations.submit(world["users"]["worker"], world["enrolment"], occurrence, version.id,
                                            scores, None, AnswerSource.PAPER)
        db.session.commit()
    return world["answer"]


def _plan_args(world) -> dict:
    real = {"enrolment_id": world["enrolment"].id}
    ids = {"plans.step_done": {"step_id": 999999}, "plans.goal_status": {"goal_id": 999999},
           "plans.add_step": {"goal_id": 999999}}
    return {"plans.static": {"filename": "plans.css"}, "plans.show": real, "plans.print_view": real,
            "plans.versions": real, "plans.continuation": real, **MESSAGE_IDS,
            "messages.new_thread": real, "messages.callback": real,
            "interop.care_plan": {"resource_id": 999999}, "interop.care_team": {"resource_id": world["enrolment"].id},
            "interop.care_plan_search": {"subject": f"Patient/{world['client'].id}"},
            "interop.care_team_search": {"subject": f"Patient/{world['client'].id}"},
            "plans.staff_photo": {"user_id": world["users"]["worker"].id},
            **{endpoint: ids.get(endpoint, {"enrolment_id": 999999}) for endpoint in PLAN_POSTS}}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ACCESS), "add the new route's access rule to ACCESS"


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_route_access(app, world, login, endpoint, who):
    method, allowed = ACCESS[endpoint]
    if allowed == FHIR:
        allowed = CLIENT_OR_CASEWORK if who != "anonymous" else None
    elif allowed == API:
        allowed = ANY_SIGNED_IN if who != "anonymous" else None
    elif allowed == TICKET:
        allowed = None
    elif allowed == PROBE:
        allowed = PUBLIC
    elif allowed == SYSTEM_API:
        allowed = set() if who != "anonymous" else None
    client = app.test_client()
    if who != "anonymous":
        _sign_in(client, world["users"][who])
    url = _url(app, endpoint, world)
    response = client.open(url, method=method, data={"locale": "sv"} if endpoint == "auth.language" else None)
    if allowed == OAUTH:  # no grant and no client: refused the OAuth way, never a redirect
        assert response.status_code in (400, 401), (who, endpoint, response.status_code)
        return
    if allowed is not None and (allowed == PUBLIC or (who != "anonymous" and who in allowed)):
        assert response.status_code in ((200, 503) if ACCESS[endpoint][1] == PROBE else (200, 302, 404)) or (
            response.status_code == 400 and endpoint in EMPTY_FORM_400), (
            who, endpoint, response.status_code)
        if response.status_code == 302:
            to_login = "/login" in response.headers["Location"]
            assert not to_login or endpoint in ("core.index", "auth.logout"), (who, endpoint)
        if response.status_code == 404:
            assert endpoint in NOT_FOUND_OK, f"{endpoint} answered 404"
    elif allowed is None:
        assert response.status_code == 401, (endpoint, response.status_code)
    elif who == "anonymous":
        assert response.status_code == 302, (endpoint, response.status_code)
        assert "/login" in response.headers["Location"], endpoint
    else:
        assert response.status_code == 403, (who, endpoint, response.status_code)


def _sign_in(client, user):
    """A signed-in browser as the login form leaves it (a server-side session and its cookie), without the
    form's deliberately slow password check: the form itself is tested in tests/auth."""
    from flask import session
    from flask_login import login_user

    from portal.auth import session as sessions
    from portal.extensions import db

    with client.application.test_request_context():
        sessions.start(user, "password")
        login_user(user)
        db.session.commit()
        cookie = dict(session)
    with client.session_transaction() as browser:
        browser.update(cookie)
