"""Every figure against the hand-worked expectation (figures_expected.py) on SQLite;
test_figures_postgres.py runs the same checks on PostgreSQL."""

from __future__ import annotations

import enum

import pytest

from portal.reports.queries import FIGURES, Filters
from tests.reports.conftest import PERIOD
from tests.reports.figures_expected import EXPECTED, channels


def plain(rows: list[dict]) -> list[dict]:
    """Rows with enum groups as their values and numbers rounded (floats differ in the last bits)."""
    return [{k: (v.value if isinstance(v, enum.Enum) else round(float(v), 6) if isinstance(v, float) else v)
             for k, v in row.items()} for row in rows]


def expected(key: str) -> list[dict]:
    return plain(EXPECTED[key])


def test_every_figure_has_an_expectation():
    assert set(FIGURES) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_figure(world, key):
    assert plain(FIGURES[key].run(PERIOD)) == expected(key)


def test_a_worker_counts_only_their_own_caseload(world):
    """The worker coordinates A only: A's three contacts (two by video)."""
    mine = Filters(PERIOD.period_start, PERIOD.period_end, worker_id=world.worker.id)
    assert plain(FIGURES["000-remote-share-gender"].run(mine)) == plain([channels("female", 3, 2, 0)])


def test_client_group_municipality_and_unit_narrow_the_figures(world, unit):
    men = Filters(PERIOD.period_start, PERIOD.period_end, client_group="gender:male")
    assert plain(FIGURES["000-durations"].run(men)) == [
        {"group": "home_visit", "contacts": 1, "mean_minutes": 60.0}, {"group": "phone", "contacts": 1,
                                                                        "mean_minutes": 20.0}]
    young = Filters(PERIOD.period_start, PERIOD.period_end, client_group="age:18-29")
    assert plain(FIGURES["000-remote-share-age"].run(young)) == plain([channels("18-29", 1, 1, 0)])
    espoo = Filters(PERIOD.period_start, PERIOD.period_end, municipality_codes=("049",))
    assert plain(FIGURES["001-queues"].run(espoo)) == expected("001-queues")[:1]
    elsewhere = Filters(PERIOD.period_start, PERIOD.period_end, unit_ids=(unit.id + 1000,))
    assert plain(FIGURES["000-remote-share-gender"].run(elsewhere)) == []


def test_the_period_bounds_are_helsinki_days(world):
    """1.1.–9.1.: nothing of A's yet; 1.1.–10.1. takes A's video at 11:00 Helsinki time."""
    from datetime import date

    before = Filters(date(2026, 1, 1), date(2026, 1, 9))
    on_the_day = Filters(date(2026, 1, 1), date(2026, 1, 10))
    assert plain(FIGURES["000-remote-share-gender"].run(before)) == []
    assert plain(FIGURES["000-remote-share-gender"].run(on_the_day)) == plain([channels("female", 1, 1, 0)])


def test_the_remote_target_counts_the_channels_the_programme_definition_sets(app, monkeypatch):
    """Seed 000's 70 % means video meetings by default; an organisation may count more channels."""
    from portal.programmes import registry
    from portal.programmes.definitions_schema import Modality
    from portal.reports.figures import remote

    assert remote.target_modalities() == ["video"]
    definition = registry.definition("remote-guidance")
    kpis = [k.model_copy(update={"modalities": [Modality.VIDEO, Modality.PHONE]}) if k.code == "remote-share" else k
            for k in definition.kpis]
    monkeypatch.setattr(remote.registry, "definition", lambda code: definition.model_copy(update={"kpis": kpis}))
    assert remote.target_modalities() == ["phone", "video"]
