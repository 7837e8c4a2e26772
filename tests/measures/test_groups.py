"""Group sessions and FIT: the decision pinned (README, "Questionnaires").

Only intensive rehabilitation (seed 002) has group contacts, and it measures with 3X10D at the start
and at six months, not with ORS/SRS per meeting. So members of a held group session get no ORS before
or SRS after it: a group session belongs to the group (its appointment has no enrolment), and the
member's 3X10D schedule is unchanged by it. If a programme with group contacts ever asks FIT, the first
test fails: then members need ORS before / SRS after the session (the FIT manual's group SRS, with the
same licensed-wording rule as ORS/SRS) before that programme can be shipped.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from portal.auth.models import Role
from portal.groups import operations as groups
from portal.groups.models import AttendanceStatus
from portal.groups.operations import SessionsRequest
from portal.measures import queries, reminders
from portal.programmes import registry
from portal.programmes.definitions_schema import MeasureWhen, Modality
from portal.scheduling.models import AppointmentStatus
from portal.scheduling.timeutil import local

PER_MEETING = {MeasureWhen.BEFORE_MEETING, MeasureWhen.AFTER_MEETING}
MONDAY = date(2026, 11, 23)


def test_no_programme_with_group_contacts_asks_fit_per_meeting(app):
    with_groups = {code: loaded.definition for code, loaded in registry.loaded().items()
                   if any(c.group for c in loaded.definition.contact_types)}
    assert with_groups, "no programme has group contacts any more: this decision needs a new look"
    asking = {code: [m.instrument for m in d.measures if m.when in PER_MEETING] for code, d in with_groups.items()}
    assert not any(asking.values()), (
        f"{asking}: members of group sessions would need ORS before / SRS after each session (group SRS)")


@pytest.fixture
def leader(create_staff):
    return create_staff(Role.WORKER)


def test_a_held_group_session_asks_members_no_ors_or_srs(db, leader, unit, create_client, create_enrolment):
    enrolment = create_enrolment(create_client(), coordinator=leader, programme="intensive-rehabilitation",
                                 start_on=MONDAY - timedelta(days=7))
    group = groups.create_group(leader, programme_code="intensive-rehabilitation", unit_id=unit.id,
                                name="Tiistairyhmä", capacity=6, leader=leader)
    groups.add_member(leader, group, enrolment, now=local(MONDAY - timedelta(days=3), time(10)))
    request = SessionsRequest(modality=Modality.RECEPTION, first_start=local(MONDAY, time(10)), weeks=1, minutes=90)
    [session] = groups.book_sessions(leader, group, request, now=local(MONDAY - timedelta(days=3), time(10))).booked
    after = session.ends_at + timedelta(minutes=30)
    groups.record_attendance(leader, group, session, {enrolment.client_id: AttendanceStatus.ATTENDED}, now=after)
    db.session.commit()
    assert session.status is AppointmentStatus.HELD and session.enrolment_id is None

    due = {(item.occurrence.instrument, item.occurrence.key) for item in queries.due_for_enrolment(enrolment, after)}
    assert due == {("3x10d", "start")}  # the programme's own schedule, and nothing for the session
    assert {r.occurrence.instrument for r in reminders.due_reminders(after)} == {"3x10d"}
