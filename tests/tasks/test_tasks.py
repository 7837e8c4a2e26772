"""The worker's day: requests become tasks, handling them (twice, stale, cancelled meanwhile), and every
kind of "needs attention" for a client seeded to have it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.appointments import operations as appointments
from portal.auth.models import Role
from portal.caseload.queries import caseload
from portal.measures import operations as measures
from portal.measures.models import Answer, AnswerSource, AnswerStatus
from portal.messages import operations as messages
from portal.messages.models import Thread
from portal.plans.models import Plan
from portal.programmes.definitions_schema import Modality
from portal.scheduling import operations as scheduling
from portal.scheduling.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    ChangeRequestStatus,
    Participant,
    ParticipantRole,
)
from portal.tasks import attention, operations, queries
from portal.tasks.models import Task, TaskKind, TaskState
from portal.tasks.operations import Move, TaskError

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def worker(create_staff):
    return create_staff(Role.WORKER, name="Sanna")


@pytest.fixture
def aino(create_client):
    return create_client()


@pytest.fixture
def enrolment(create_enrolment, aino, worker, create_staff):
    return create_enrolment(aino, coordinator=worker, deputy=create_staff(Role.WORKER, name="Laura"),
                            start_on=date.today() - timedelta(days=60))


def _appointment(db, enrolment, worker, starts_at, status=AppointmentStatus.BOOKED, modality=Modality.VIDEO):
    row = Appointment(programme_code=enrolment.programme_code, enrolment=enrolment, contact_type="guidance-meeting",
                      modality=modality, status=status, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
                      organizer=worker, cancelled_at=NOW if status is AppointmentStatus.CANCELLED else None)
    row.participants = [
        Participant(role=ParticipantRole.HOST, user=worker, person_key=f"u:{worker.id}", busy_from=row.starts_at,
                    busy_until=row.ends_at, blocking=row.active),
        Participant(role=ParticipantRole.CLIENT, client_id=enrolment.client_id, person_key=f"c:{enrolment.client_id}",
                    busy_from=row.starts_at, busy_until=row.ends_at, blocking=row.active)]
    db.session.add(row)
    db.session.flush()
    return row


def _ask_change(db, aino, enrolment, worker, days=5):
    appointment = _appointment(db, enrolment, worker, NOW + timedelta(days=days))
    change = appointments.request_change(aino.user, aino, appointment, "Thursdays after two", Modality.PHONE,
                                         "I cannot come by bus that week")
    return appointment, change


def test_a_change_request_becomes_a_task_for_the_contact_person_with_the_clients_words(db, aino, enrolment, worker):
    appointment, change = _ask_change(db, aino, enrolment, worker)
    listing = queries.task_list(worker, NOW)
    [task] = listing.tasks
    assert (task.kind, task.state, task.appointment_id) == (TaskKind.CHANGE_REQUEST, TaskState.NEW, appointment.id)
    assert task.words == "I cannot come by bus that week" and task.preferred_times == "Thursdays after two"
    assert queries.task_list(enrolment.deputy, NOW).tasks == []


def test_during_an_absence_the_deputy_has_it(db, aino, enrolment, worker):
    _ask_change(db, aino, enrolment, worker)
    db.session.add(Absence(user_id=worker.id, starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=3)))
    db.session.flush()
    assert queries.task_list(worker, NOW).tasks == []
    assert len(queries.task_list(enrolment.deputy, NOW).tasks) == 1


def test_a_callback_and_its_inbox_handling_keep_the_task_in_step(db, aino, enrolment, worker):
    callback = messages.request_callback(aino.user, enrolment, "mornings", None)
    [task] = queries.task_list(worker, NOW).tasks
    assert task.kind is TaskKind.CALLBACK and task.phone == aino.phone
    messages.handle_callback(worker, callback)
    assert task.state is TaskState.HANDLED and queries.task_list(worker, NOW).tasks == []


def test_moving_books_the_new_time_cancels_the_old_and_answers_the_client(db, aino, enrolment, worker):
    appointment, change = _ask_change(db, aino, enrolment, worker)
    [task] = queries.task_list(worker, NOW).tasks
    new = operations.move(worker, task, Move(NOW + timedelta(days=8), Modality.HOME_VISIT, urgent=True), "See you")
    assert appointment.status is AppointmentStatus.CANCELLED and new.active and new.modality is Modality.HOME_VISIT
    assert change.status is ChangeRequestStatus.HANDLED and task.new_appointment_id == new.id
    answered = queries.replies_for([appointment.id, new.id])
    assert answered[appointment.id] is task and answered[new.id] is task and task.reply == "See you"


def test_handling_twice_says_who_did_it_and_changes_nothing(db, aino, enrolment, worker):
    _ask_change(db, aino, enrolment, worker)
    [task] = queries.task_list(worker, NOW).tasks
    operations.handle(worker, task, "Called her")
    with pytest.raises(TaskError, match="Sanna on jo hoitanut"):
        operations.handle(enrolment.deputy, task, "Me too")
    with pytest.raises(TaskError):
        operations.move(worker, task, Move(NOW + timedelta(days=8), Modality.PHONE, urgent=True), None)
    assert task.reply == "Called her" and task.handled_by_id == worker.id


def test_a_request_whose_appointment_was_cancelled_meanwhile_is_not_moved(db, aino, enrolment, worker):
    appointment, change = _ask_change(db, aino, enrolment, worker)
    [task] = queries.task_list(worker, NOW).tasks
    scheduling.cancel(worker, appointment)
    with pytest.raises(TaskError, match="sillä välin peruttu"):
        operations.move(worker, task, Move(NOW + timedelta(days=8), Modality.PHONE, urgent=True), None)
    assert task.state is TaskState.NEW and change.status is ChangeRequestStatus.OPEN
    assert db.session.query(Appointment).filter_by(enrolment_id=enrolment.id).count() == 1


def test_a_refused_booking_leaves_nothing_half_saved(db, aino, enrolment, worker):
    appointment, change = _ask_change(db, aino, enrolment, worker)
    [task] = queries.task_list(worker, NOW).tasks
    busy = _appointment(db, enrolment, worker, NOW + timedelta(days=9))
    with pytest.raises(Exception):  # noqa: B017  (the booking's own conflict error)
        operations.move(worker, task, Move(busy.starts_at, Modality.PHONE, urgent=True), None)
    assert appointment.active and task.state is TaskState.NEW and change.status is ChangeRequestStatus.OPEN


# --- needs attention: one client with every kind -------------------------------------------------------

def _answer(db, enrolment, appointment, code, total):
    version = measures.instrument_version(code)
    db.session.add(Answer(enrolment_id=enrolment.id, client_id=enrolment.client_id, instrument=version,
                          instrument_code=code, occurrence=f"appt-{appointment.id}", appointment_id=appointment.id,
                          status=AnswerStatus.SUBMITTED, source=AnswerSource.CLIENT, values={}, total=total,
                          answered_on=appointment.starts_at, submitted_at=appointment.starts_at))


def test_every_kind_of_attention_for_a_client_that_has_it(db, app, aino, enrolment, worker, create_client,
                                                         create_enrolment):
    _ask_change(db, aino, enrolment, worker)
    messages.request_callback(aino.user, enrolment, "mornings", None)
    db.session.add(Thread(enrolment_id=enrolment.id, subject="Rent", started_by_id=aino.user.id,
                          waiting_since=NOW - timedelta(days=2)))
    first = _appointment(db, enrolment, worker, NOW - timedelta(days=40), AppointmentStatus.HELD)
    second = _appointment(db, enrolment, worker, NOW - timedelta(days=30), AppointmentStatus.HELD)
    _answer(db, enrolment, first, "ors", 25)
    _answer(db, enrolment, second, "ors", 15)  # worse by more than the reliable change
    _answer(db, enrolment, second, "srs", 30)  # at or below 36
    _appointment(db, enrolment, worker, NOW - timedelta(days=12), AppointmentStatus.HELD)  # no answer: overdue
    _appointment(db, enrolment, worker, NOW - timedelta(days=1))  # over, never recorded
    db.session.add(Plan(enrolment_id=enrolment.id, review_on=date.today() - timedelta(days=1)))
    enrolment.planned_end_on = date.today() + timedelta(days=5)
    intensive = create_enrolment(create_client(birth_year=2004), coordinator=worker,
                                 programme="intensive-rehabilitation", start_on=date.today() - timedelta(days=30))
    db.session.flush()

    found = attention.for_caseload(worker, caseload(worker), NOW, date.today())
    kinds = [item.kind for item in found[enrolment.id]]
    assert kinds == [attention.Kind.CALLBACK, attention.Kind.CHANGE_REQUEST, attention.Kind.MESSAGE,
                     attention.Kind.FIT, attention.Kind.NO_CONTACT, attention.Kind.TO_RECORD,
                     attention.Kind.QUESTIONNAIRE, attention.Kind.PLAN_REVIEW, attention.Kind.ENDING]
    fit_item = found[enrolment.id][3]
    assert {a.code for a in fit_item.params["alerts"]} >= {"ors_worse", "srs_low"}
    assert attention.Kind.INTENSITY in [item.kind for item in found[intensive.id]]
    ranked = attention.ranked(worker, caseload(worker), NOW, date.today())
    assert ranked[0].row.enrolment.id == enrolment.id


def test_attention_is_a_fixed_number_of_statements_however_many_clients(db, app, worker, create_client,
                                                                       create_enrolment):
    from sqlalchemy import event

    def count(n):
        for _ in range(n):
            create_enrolment(create_client(), coordinator=worker)
        db.session.flush()
        rows = caseload(worker)
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            attention.for_caseload(worker, rows, NOW, date.today())
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert count(1) == count(10) == 3  # the counted kinds in one UNION ALL, the FIT totals, the plan reviews


def test_every_task_kind_is_an_attention_kind_of_the_same_name():
    """attention._counted reads a task's stored kind back as the attention kind."""
    assert {kind.value for kind in TaskKind} <= {kind.value for kind in attention.Kind}


def test_a_phone_call_instead_from_the_waiting_room_is_a_task(db, aino, enrolment, worker):
    from portal import signals

    appointment = _appointment(db, enrolment, worker, NOW + timedelta(minutes=5))
    signals.fallback_asked.send(aino.user, appointment=appointment, choice="phone")
    [task] = queries.task_list(worker, NOW).tasks
    assert task.kind is TaskKind.PHONE_INSTEAD and db.session.query(Task).count() == 1


def test_the_client_is_told_their_request_was_answered_without_its_words(db, aino, enrolment, worker):
    from portal.notifications.models import OutboxMessage
    from portal.people.models import ContactChannel

    aino.preferred_channel = ContactChannel.SMS
    _ask_change(db, aino, enrolment, worker)
    [task] = queries.task_list(worker, NOW).tasks
    operations.handle(worker, task, "Soitan torstaina")
    [notice] = db.session.query(OutboxMessage).filter_by(dedupe_key=f"task-handled:{task.id}").all()
    assert notice.recipient == aino.phone and "Soitan" not in notice.body and "/me/appointments" in notice.body


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_move_sends_one_changed_notice_with_both_times_in_the_clients_language(db, app, aino, enrolment, worker,
                                                                               language):
    from flask_babel import force_locale

    from portal.notifications.models import OutboxMessage
    from portal.people.models import ClientLanguage, ContactChannel
    from portal.web.templating import long_datetime

    aino.preferred_channel, aino.language = ContactChannel.SMS, ClientLanguage(language)
    appointment, _change = _ask_change(db, aino, enrolment, worker)
    [task] = queries.task_list(worker, NOW).tasks
    new = operations.move(worker, task, Move(NOW + timedelta(days=8), Modality.VIDEO, urgent=True), None)
    [notice] = db.session.query(OutboxMessage).filter_by(client_id=aino.id).all()  # not "booked" + "cancelled"
    with force_locale(language):
        old_time, new_time = long_datetime(appointment.starts_at), long_datetime(new.starts_at)
    assert old_time in notice.body and new_time in notice.body and notice.appointment_id == new.id
    assert notice.dedupe_key == f"notice:moved:{appointment.id}:{aino.id}" and notice.recipient == aino.phone
