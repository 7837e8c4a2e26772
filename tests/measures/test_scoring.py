"""Scoring, change and FIT alerts: properties over all inputs (hypothesis), plus the shipped instruments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.measures import fit, scoring
from portal.measures.instruments import DEFAULT_DIR, InstrumentDefinitionError, load_definitions

INSTRUMENTS = {code: item.definition for (code, _v), item in load_definitions(DEFAULT_DIR).items()}
ORS, SRS, TENX = INSTRUMENTS["ors"], INSTRUMENTS["srs"], INSTRUMENTS["3x10d"]

tenths = st.integers(0, 100).map(lambda n: n / 10)
line_values = st.fixed_dictionaries({item.code: tenths for item in ORS.items})
choice_values = st.fixed_dictionaries({item.code: st.integers(0, 10) for item in TENX.items})


def test_shipped_instruments_have_the_published_structure():
    assert [len(d.items) for d in (ORS, SRS, TENX)] == [4, 4, 10]
    assert ORS.max_total() == SRS.max_total() == 40
    assert (ORS.scoring.cutoff_adult, ORS.scoring.cutoff_youth, ORS.scoring.reliable_change) == (25, 28, 5)
    assert SRS.scoring.alliance_threshold == 36
    # Copyrighted wording is never shipped as if it were the licensed text.
    assert ORS.placeholder_wording and SRS.placeholder_wording
    assert "®" in TENX.notice.fi and "®" in TENX.name.fi and "Diak" in TENX.notice.fi and "Diak" in TENX.source


# Diak's adult (18+) form, word for word (issue 18; Diak puheenvuoro 44, "18-vuotiaat").
DIAK_ADULT_ITEMS = [
    "terveydentilaasi", "kykyysi voittaa elämässä eteen tulevia vaikeuksia", "asumisoloihisi",
    "päivittäiseen pärjäämiseesi", "perheeseesi ja läheisiisi", "luotettavien ystävien määrään",
    "taloudelliseen tilanteeseesi", "omien vahvuuksiesi kehittämiseen (esim. harrastamalla mieluisia asioita)",
    "itsetuntoosi", "elämääsi kokonaisuutena",
]


def test_3x10d_is_diaks_official_adult_form_in_finnish():
    assert [item.text.fi for item in TENX.items] == DIAK_ADULT_ITEMS
    assert TENX.instructions.fi.startswith("Kun ajattelet nykyhetkeä, kuinka tyytyväinen olet")
    assert all((i.min, i.max, i.low.fi, i.high.fi) == (0, 10, "erittäin tyytymätön", "erittäin tyytyväinen")
               for i in TENX.items)
    assert "Numeron viisi kohdalla et ole tyytymätön etkä tyytyväinen" in TENX.instructions.fi
    assert [(b.code, b.min, b.max) for b in TENX.bands] == [("red", 0, 5), ("yellow", 6, 7), ("green", 8, 10)]
    assert TENX.scoring.total.value == "none"  # Diak: no total score is computed
    # The Finnish is the official text; Swedish and English are Silta's translation until Diak's are installed.
    assert not TENX.placeholder_in("fi") and TENX.placeholder_in("sv") and TENX.placeholder_in("en")


@given(line_values)
def test_ors_total_is_the_sum_to_one_decimal_and_within_0_40(values):
    raw = {code: f"{value:.1f}" for code, value in values.items()}
    parsed = scoring.parse(ORS, raw, complete=True)
    assert parsed.errors == {}
    total = scoring.total(ORS, parsed.values)
    assert 0 <= total <= 40
    assert Decimal(str(total)) == sum(Decimal(f"{v:.1f}") for v in values.values())


@given(st.text(max_size=8))
def test_any_text_for_a_line_is_either_a_value_on_the_scale_or_an_error(text):
    parsed = scoring.parse(ORS, {"individually": text}, complete=False)
    if "individually" in parsed.values:
        value = parsed.values["individually"]
        assert 0 <= value <= 10 and round(value, 1) == value
    else:
        assert text.strip() == "" or parsed.errors["individually"] in ("number", "range")


@pytest.mark.parametrize(("text", "error"), [("-0.1", "range"), ("10.1", "range"), ("abc", "number"),
                                             ("nan", "number"), ("inf", "number"), ("1e400", "range")])
def test_bad_line_values_are_refused(text, error):
    assert scoring.parse(ORS, {"individually": text}, complete=False).errors == {"individually": error}


def test_missing_items_are_reported_only_when_the_answer_must_be_complete():
    assert scoring.parse(ORS, {}, complete=False).errors == {}
    assert set(scoring.parse(ORS, {}, complete=True).errors) == {i.code for i in ORS.items}


def test_a_comma_decimal_is_read_and_rounded_half_up():
    assert scoring.parse(ORS, {"overall": "7,25"}, complete=False).values == {"overall": 7.3}


@given(choice_values)
def test_3x10d_item_mean_and_bands(values):
    parsed = scoring.parse(TENX, {k: str(v) for k, v in values.items()}, complete=True)
    assert scoring.total(TENX, parsed.values) is None
    mean = scoring.item_mean(TENX, parsed.values)
    assert min(values.values()) <= mean <= max(values.values())
    for value in values.values():
        expected = "red" if value <= 5 else "yellow" if value <= 7 else "green"
        assert scoring.band(TENX, value).code == expected


def test_3x10d_items_are_whole_numbers():
    assert scoring.parse(TENX, {"health": "5.5"}, complete=False).errors == {"health": "whole"}


@given(st.floats(0.1, 10), st.floats(0, 10))
def test_percent_change_returns_the_end_from_the_start(start, end):
    change = scoring.percent_change(start, end)
    assert abs(start * (1 + change / 100) - end) < 0.01 * start + 1e-6


def test_percent_change_needs_a_positive_start():
    assert scoring.percent_change(0, 5) is None and scoring.percent_change(None, 5) is None


@given(tenths.map(lambda v: v * 4), tenths.map(lambda v: v * 4))
def test_reliable_change_is_symmetric(first, latest):
    forward = scoring.reliable_change(first, latest, 5)
    backward = scoring.reliable_change(latest, first, 5)
    flipped = {scoring.Change.IMPROVED: scoring.Change.WORSENED, scoring.Change.WORSENED: scoring.Change.IMPROVED,
               scoring.Change.NO_RELIABLE_CHANGE: scoring.Change.NO_RELIABLE_CHANGE}
    assert backward == flipped[forward]
    assert (forward == scoring.Change.NO_RELIABLE_CHANGE) == (abs(round(latest - first, 1)) < 5)


@pytest.mark.parametrize(("age", "cutoff"), [(13, 28), (17, 28), (18, 25), (None, 25)])
def test_ors_cutoff_by_age(age, cutoff):
    assert scoring.cutoff(ORS, age) == cutoff


def _points(ors, srs):
    start = datetime(2026, 1, 5, tzinfo=UTC)
    return [fit.Point(start + timedelta(days=7 * i), o, s) for i, (o, s) in enumerate(zip(ors, srs, strict=True))]


def test_fit_alerts():
    codes = lambda ors, srs: [a.code for a in fit.alerts(_points(ors, srs), 5, 36, 4)]  # noqa: E731
    assert codes([20, 26], [38, 39]) == []
    assert codes([20, 14.9], [38, 39]) == ["ors_worse"]
    assert codes([20, 30, 24.5], [38, 39, 39]) == ["ors_drop"]
    assert codes([20, 21, 22, 23], [38, 39, 39, 39]) == ["no_improvement"]
    assert codes([20, 21], [38, 36]) == ["srs_low", "srs_drop"]
    assert codes([20, 21], [39.5, 39.4]) == ["srs_drop"]


@given(st.lists(tenths.map(lambda v: v * 4), min_size=1, max_size=12),
       st.lists(tenths.map(lambda v: v * 4), min_size=1, max_size=12))
def test_fit_alerts_follow_their_definitions(ors, srs):
    n = min(len(ors), len(srs))
    found = {a.code for a in fit.alerts(_points(ors[:n], srs[:n]), 5, 36, 4)}
    ors, srs = ors[:n], srs[:n]
    assert ("srs_low" in found) == (srs[-1] <= 36)
    assert ("srs_drop" in found) == (n >= 2 and srs[-1] < srs[-2])
    assert ("ors_worse" in found) == (n >= 2 and round(ors[-1] - ors[0], 1) <= -5)
    assert ("no_improvement" in found) == (n >= 4 and round(ors[-1] - ors[0], 1) < 5)


@given(st.lists(st.one_of(st.none(), tenths.map(lambda v: v * 4)), min_size=1, max_size=10))
def test_the_graph_stays_inside_its_frame(values):
    chart = fit.chart(_points(values, values), 25, 5)
    for x, y in chart.ors + chart.srs:
        assert chart.left <= x <= chart.right_edge and fit.TOP <= y <= chart.bottom_y
    if chart.band:
        assert fit.TOP <= chart.band[0] <= chart.band[1] <= chart.bottom_y


def test_a_broken_definition_stops_start_up_with_the_file_named(tmp_path: Path):
    (tmp_path / "bad.toml").write_text('code = "x"\nversion = 0\n', encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match="bad.toml"):
        load_definitions(tmp_path)
