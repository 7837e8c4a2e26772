"""Calm mode on the client's questionnaire pages (issue 16): each question is a step with "Question n of N"
and Back/Next for the script to use; without calm mode the form is as it was. The link page follows the
client's own setting too."""

from __future__ import annotations

from sqlalchemy import select

from portal.db import utcnow
from portal.measures import links, operations, queries
from portal.notifications.models import OutboxMessage
from portal.people.models import ContactChannel
from tests.appointments import hours_from_now, make_appointment
from tests.measures.conftest import ors_form


def test_the_answer_page_in_steps_only_in_calm_mode(db, client, login, enrolment, meeting, client_row):
    login(client_row.user)
    url = f"/me/measures/{enrolment.id}/ors/appt-{meeting.id}?lang=en"
    plain = client.get(url).get_data(as_text=True)
    assert "data-one-at-a-time" not in plain and "measure-step" not in plain and "step-nav" not in plain
    client_row.calm_mode = True
    db.session.commit()
    calm = client.get(url).get_data(as_text=True)
    assert "data-one-at-a-time" in calm and calm.count('class="measure-step"') == 4
    assert "Question 1 of 4" in calm and "Question 4 of 4" in calm
    assert '<div class="step-nav" hidden>' in calm  # shown by the script only: without it the form is whole


def test_the_link_page_follows_the_clients_setting(db, client, worker, enrolment, meeting, client_row):
    client_row.preferred_channel, client_row.calm_mode = ContactChannel.SMS, True
    links.send_link(worker, enrolment, "ors", f"appt-{meeting.id}")
    db.session.commit()
    body = db.session.scalar(select(OutboxMessage.body))
    page = client.get(body.rsplit(" ", 1)[1].removeprefix("http://127.0.0.1:5000") + "?lang=en")
    assert page.status_code == 200 and "Question 2 of 4" in page.get_data(as_text=True)


def _ors_version(db) -> int:
    row = operations.instrument_version("ors")
    db.session.commit()
    return row.id


def test_other_client_pages_fold_what_is_secondary_in_calm_mode(db, client, login, worker, enrolment, meeting,
                                                                client_row):
    """My results: a questionnaire to answer first, the results behind one disclosure; my appointments: the
    coming ones, the past ones and the calendar link behind one disclosure. Not folded without calm mode."""
    earlier = make_appointment(db, hours_from_now(-48), (worker,), (client_row,))
    earlier.enrolment_id = enrolment.id
    db.session.commit()
    occurrence = queries.find_occurrence(enrolment, "ors", f"appt-{earlier.id}", utcnow(), open_only=False)
    operations.submit(client_row.user, enrolment, occurrence, _ors_version(db), ors_form(0), "t-earlier")
    db.session.commit()  # a result to show
    login(client_row.user)
    for calm in (False, True):
        client_row.calm_mode = calm
        db.session.commit()
        results = client.get("/me/measures?lang=en").get_data(as_text=True)
        appointments = client.get("/me/appointments?lang=en").get_data(as_text=True)
        assert ('<details class="calm-more">' in results) is calm  # the ORS before the meeting is due
        assert ('<details class="calm-more">' in appointments) is calm
        assert appointments.index(f'id="appointment-{meeting.id}"') < appointments.index('id="calendar"')
        if calm:
            assert appointments.index('<details class="calm-more">') < appointments.index('id="calendar"')
            assert appointments.index(f'id="appointment-{meeting.id}"') < appointments.index("calm-more")
