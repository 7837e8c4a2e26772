"""Dates, times and decimals as readers in Finland write them, in each language (one filter for every page)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from portal.i18n import local_decimal, local_percent
from portal.web.templating import local_date, local_datetime, local_time, long_datetime

MOMENT = datetime(2026, 12, 6, 8, 2, tzinfo=UTC)  # 10.02 in Helsinki


@pytest.mark.parametrize(("language", "day", "clock", "decimal", "percent"), [
    ("fi", "6.12.2026", "10.02", "19,9", "55,6\u00a0%"),
    ("sv", "6.12.2026", "10.02", "19,9", "55,6\u00a0%"),  # Finland Swedish, not ISO 2026-12-06
    ("en", "06/12/2026", "10:02", "19.9", "55.6%"),  # not US 12/6/26, 10:02 AM
])
def test_formats_follow_the_language(app, language, day, clock, decimal, percent):
    with app.test_request_context(), force_locale(language):
        assert local_date(MOMENT, "short") == day
        assert local_date(date(2026, 12, 6), "short") == day
        assert local_time(MOMENT) == clock
        assert clock in local_datetime(MOMENT, "short")
        assert local_decimal(19.9) == decimal and local_decimal(20.0) == "20"
        assert local_decimal(25, fixed=True) == "25" + decimal[2] + "0"  # the same decimal sign, one fixed digit
        assert local_percent(0.556) == percent


def test_a_late_utc_evening_is_the_next_day_in_helsinki(app):
    with app.test_request_context(), force_locale("fi"):
        assert local_date(datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "short") == "7.12.2026"
        assert long_datetime(MOMENT).startswith("sunnuntai 6. joulukuuta 2026")


def test_templates_use_the_filters(app):
    with app.test_request_context(), force_locale("sv"):
        rendered = app.jinja_env.from_string("{{ d|date('short') }} {{ x|number }} {{ s|percent }}").render(
            d=MOMENT, x=19.94, s=0.5)
        assert rendered == "6.12.2026 19,9 50,0\u00a0%"


def test_the_fast_decimals_are_babels_digits(app):
    """local_decimal writes numbers below a thousand itself (Babel's pattern costs ~25 µs): the same text as
    Babel's, rounding half to even on the shortest repr, the pattern's "-" even before a rounded 0."""
    import random

    from babel import Locale

    from portal.i18n import _decimal_pattern

    rng = random.Random(6)
    values = [0.0, -0.0, 0.05, 0.25, 0.35, -0.04, 2.5, 19.95, 999.96, 1234.5, 0.1 + 0.2]
    values += [round(rng.uniform(-1100, 1100), rng.randint(0, 4)) for _ in range(400)]
    for language in ("fi", "sv", "en"):
        with app.test_request_context(), force_locale(language):
            babel_locale = Locale.parse({"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}[language])
            for value in values:
                for digits in range(4):
                    for fixed in (False, True):
                        expected = _decimal_pattern(digits, fixed).apply(value, babel_locale)
                        assert local_decimal(value, digits, fixed) == expected, (language, value, digits, fixed)
