"""The figures of tests/reports/conftest.py's county, worked out by hand from its rows.

Shares and means are written as the fractions they are, so the arithmetic can be checked by eye.
"""

from __future__ import annotations

# Every support type the programme defines gets its row, given or not (in the definition's order).
NONE = {"contacts": 0, "remote": 0, "remote_share": None, "worked": 0, "worked_share": None}


def channels(group: str, contacts: int, video: int, other_remote: int) -> dict:
    """Seed 000's remote share: video (what the target counts by default) and the other remote channels
    (phone, e-mail, text message) side by side; a phone call is not a video meeting."""
    return {"group": group, "contacts": contacts, "target_share": video / contacts, "video": video,
            "video_share": video / contacts, "other_remote": other_remote,
            "other_remote_share": other_remote / contacts}


EXPECTED: dict[str, list[dict]] = {
    # A (36, woman, psychosis): video, video, home visit; B (66, man, mood): phone, home visit;
    # C (27, woman, not recorded): video (+ one cancelled, one before the period: not counted).
    "000-remote-share-age": [channels("18-29", 1, 1, 0), channels("30-44", 3, 2, 0), channels("65+", 2, 0, 1)],
    "000-remote-share-gender": [channels("female", 4, 3, 0), channels("male", 2, 0, 1)],
    "000-remote-share-diagnosis": [channels("mood", 2, 0, 1), channels("psychosis", 3, 2, 0),
                                   channels("unrecorded", 1, 1, 0)],
    "000-durations": [
        {"group": "home_visit", "contacts": 2, "mean_minutes": (90 + 60) / 2},
        {"group": "phone", "contacts": 1, "mean_minutes": 20.0},
        {"group": "video", "contacts": 3, "mean_minutes": (60 + 30 + 40) / 3},
    ],
    # cleaning: A's three (two by video: one worked, one not); money: A's video, B's phone (not marked),
    # C's video (worked).
    "000-support-types": [
        {"group": "cleaning", "contacts": 3, "remote": 2, "remote_share": 2 / 3, "worked": 1, "worked_share": 1 / 2},
        {"group": "cooking", **NONE},
        {"group": "benefits", **NONE},
        {"group": "money", "contacts": 3, "remote": 3, "remote_share": 1.0, "worked": 1, "worked_share": 1 / 3},
        *[{"group": code, **NONE} for code in ("housing", "health", "daily-routines", "social-relations",
                                               "digital-skills")],
    ],
    # ORS: A 20 → 26 (+6: reliable), B 25 → 27 (+2), C only one answer. SRS: 35, 38, 30.
    "000-fit": [{"group": "all", "measured": 2, "improved": 1, "improved_share": 1 / 2, "srs_answers": 3,
                 "srs_mean": (35 + 38 + 30) / 3}],
    "000-satisfaction": [{"group": "2025", "respondents": 2, "overall_mean": 3.0, "remote_works": 1,
                          "remote_works_share": 1 / 2}],
    # D: every item 4 → 5 (six months); E: every item 6 → 6 but health 6 → 9 (end, earlier).
    "002-3x10d": [
        {"group": "health", "clients": 2, "start_mean": 5.0, "follow_mean": 7.0, "change": 2 / 5},
        *[{"group": item, "clients": 2, "start_mean": 5.0, "follow_mean": 5.5, "change": 0.5 / 5}
          for item in ("overcoming", "housing", "daily-coping", "family", "friends", "finances", "strengths",
                       "self-esteem", "life")],
        {"group": "overall", "clients": 2, "start_mean": 5.0, "follow_mean": 5.65, "change": 0.65 / 5},
    ],
    # D in the service 1.1.–30.6. (181 days, 20 contacts), E 5.1.–31.3. (86 days, 10), F 1.1.–15.2. (46 days, 0).
    "002-intensity": [{"group": "all", "clients": 3, "contacts": 30, "client_weeks": 313 / 7,
                       "per_week": 30 / (313 / 7)}],
    "002-feedback": [
        {"group": "satisfied", "answers": 2, "yes": 2, "yes_share": 1.0},
        {"group": "helped-toward-goals", "answers": 2, "yes": 1, "yes_share": 1 / 2},
    ],
    # E: 85 days; F: 1.6.2025–15.2.2026 = 259 days.
    "002-completion": [{"group": "all", "ended": 2, "within": 1, "within_share": 1 / 2, "mean_days": (85 + 259) / 2}],
    "003-phases": [{"group": "referral", "clients": 1}, {"group": "service-delivery", "clients": 1}],
    # G: 10 days in referral, 30 in assessment; H: 4, 20, then 35 in service delivery.
    "003-phase-time": [
        {"group": "referral", "moves": 2, "mean_days": (10 + 4) / 2},
        {"group": "assessment-planning", "moves": 2, "mean_days": (30 + 20) / 2},
        {"group": "service-delivery", "moves": 1, "mean_days": 35.0},
    ],
    # G's version 2 by the date set with version 1 (1.3. ≤ 5.3.), version 3 late (20.4. > 10.4., set with version 2);
    # its next review (1.6.) passed.
    "003-reviews": [
        {"group": "reviewed", "reviews": 2, "on_time": 1, "share": 1 / 3},
        {"group": "overdue", "reviews": 1, "on_time": 0, "share": None},
    ],
    "003-continuation": [{"group": "all", "ended": 2, "made": 1, "made_share": 1 / 2}],
    # K: one phone call, served; L: phone then reception; M: home visit in December, phone in March.
    "004-channels": [
        {"group": "phone", "contacts": 3, "share": 3 / 4},
        {"group": "reception", "contacts": 1, "share": 1 / 4},
    ],
    "004-single-contact": [{"group": "all", "clients": 2, "single": 1, "single_share": 1 / 2}],
    "004-ages": [{"group": "45-64", "clients": 1}, {"group": "65+", "clients": 2}],
    "004-profile": [{"group": "all", "clients": 3, "mean_age": (76 + 56 + 86) / 3, "pensioners": 2,
                     "pensioner_share": 2 / 3, "without_welfare": 2, "without_share": 2 / 3}],
    "004-referrals": [
        {"group": "consultation", "received": 2, "handled": 1, "handled_share": 1 / 2},
        {"group": "referral", "received": 1, "handled": 1, "handled_share": 1.0},
    ],
    "001-intake": [
        {"group": "049", "total": 2, "service_request": 1, "notification_35": 1, "phone": 0, "paper": 0, "visit": 0},
        {"group": "091", "total": 3, "service_request": 0, "notification_35": 0, "phone": 2, "paper": 1, "visit": 0},
    ],
    "001-assessments": [
        {"group": "priority", "received": 2, "started": 2, "started_on_time": 1, "completed": 1,
         "completed_on_time": 1, "on_time_share": 1 / 2},
        {"group": "undue_delay", "received": 2, "started": 2, "started_on_time": 2, "completed": 2,
         "completed_on_time": 1, "on_time_share": 1 / 2},
    ],
    # Meeting 1: 30 + 25 + 10 = 65 min of 60, two decided, two over the estimate; meeting 2: 20 min, one decided.
    "001-meetings": [{"group": "all", "meetings": 2, "decisions": 3, "per_meeting": 3 / 2, "overran": 1,
                      "overran_share": 1 / 2, "items_over": 2}],
    # On 30.6.: N1 waiting since 1.3. (121 days), N3 since 31.5. (30); N2 (Espoo) placed after 30 days.
    "001-queues": [
        {"group": "supported|049", "waiting": 0, "waited_so_far": None, "placed": 1, "waited": 30.0},
        {"group": "supported|091", "waiting": 2, "waited_so_far": (121 + 30) / 2, "placed": 0, "waited": None},
    ],
    "001-vacancies": [{"group": "supported", "vacancies": 3, "filled": 2, "filled_share": 2 / 3,
                       "days_to_fill": (8 + 4) / 2}],
}
