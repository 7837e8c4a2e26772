"""Good times for meetings: which starts fit, and the slot finder offering them first-hand."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.people.preferences import fits

# Tuesday 24 November 2026; Helsinki is UTC+2 in winter.
TUESDAY_9 = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TUESDAY_1130 = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
TUESDAY_13 = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
WEDNESDAY_9 = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def test_no_preference_fits_anything():
    assert fits([], [], TUESDAY_9, 60) and fits([], [], WEDNESDAY_9, 60)


def test_the_day_must_be_a_chosen_one():
    assert fits([1], [], TUESDAY_9, 60) and not fits([1], [], WEDNESDAY_9, 60)


def test_the_whole_meeting_must_lie_in_a_chosen_part_of_the_day():
    assert fits([], ["morning"], TUESDAY_9, 60)
    assert not fits([], ["morning"], TUESDAY_1130, 60)  # 11:30–12:30 runs past noon
    assert fits([], ["morning"], TUESDAY_1130, 30)
    assert not fits([], ["morning"], TUESDAY_13, 45) and fits([], ["afternoon"], TUESDAY_13, 45)


def test_days_and_parts_together():
    assert fits([1, 3], ["afternoon"], TUESDAY_13, 60) and not fits([1, 3], ["afternoon"], TUESDAY_9, 60)


def test_the_slot_finder_offers_the_clients_good_times_and_falls_back_when_none_is_free(
        db, create_staff, create_client, create_enrolment):
    from datetime import date

    from portal.programmes.definitions_schema import Modality
    from portal.scheduling.queries import free_slots
    from portal.scheduling.timeutil import HELSINKI

    worker = create_staff()  # no working-hours rows: Monday to Friday 8–16
    client = create_client()
    enrolment = create_enrolment(client, coordinator=worker)
    monday = date(2036, 11, 24)
    anything = free_slots([worker], enrolment, Modality.PHONE, 60, monday)
    assert anything[0].astimezone(HELSINKI).hour == 8
    client.preferred_weekdays, client.preferred_day_parts = [3], ["afternoon"]
    good = free_slots([worker], enrolment, Modality.PHONE, 60, monday)
    assert good and all(s.astimezone(HELSINKI).weekday() == 3 and 12 <= s.astimezone(HELSINKI).hour < 16
                        and s.astimezone(HELSINKI).hour + 1 <= 16 for s in good)
    client.preferred_day_parts = ["evening"]  # nobody works after 16: any free time rather than none
    assert free_slots([worker], enrolment, Modality.PHONE, 60, monday) == anything
