"""FIT over meetings: the ORS/SRS series, the worker's alerts and the graph's geometry (pure Python).

Alerts (issue 4): ORS worsened by at least the reliable change (from the first ORS, or from the
previous one); no reliable improvement after ``no_improvement_after`` meetings; SRS at or below the
alliance threshold; any SRS drop. The graph shows the cutoff line and the reliable-change band around
the intake ORS, not expected-treatment-response curves (those are licensed separately).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from portal.i18n import local_decimal
from portal.measures.scoring import Change, reliable_change

DEFAULT_NO_IMPROVEMENT_AFTER = 4


@dataclass(frozen=True)
class Point:
    """One meeting: its time and the ORS / SRS totals given for it (either may be missing)."""

    at: datetime
    ors: float | None
    srs: float | None


@dataclass(frozen=True)
class Alert:
    code: str
    params: dict = field(default_factory=dict)


def alerts(points: list[Point], reliable: float, alliance_threshold: float,
           no_improvement_after: int = DEFAULT_NO_IMPROVEMENT_AFTER) -> list[Alert]:
    found: list[Alert] = []
    ors = [p.ors for p in points if p.ors is not None]
    srs = [p.srs for p in points if p.srs is not None]
    if len(ors) >= 2:
        if reliable_change(ors[0], ors[-1], reliable) == Change.WORSENED:
            found.append(Alert("ors_worse", {"points": _fmt(ors[0] - ors[-1])}))
        elif ors[-2] - ors[-1] >= reliable:
            found.append(Alert("ors_drop", {"points": _fmt(ors[-2] - ors[-1])}))
        if len(ors) >= no_improvement_after and reliable_change(ors[0], ors[-1], reliable) != Change.IMPROVED:
            found.append(Alert("no_improvement", {"meetings": len(ors)}))
    if srs:
        if srs[-1] <= alliance_threshold:
            found.append(Alert("srs_low", {"total": _fmt(srs[-1]), "threshold": _fmt(alliance_threshold)}))
        if len(srs) >= 2 and srs[-1] < srs[-2]:
            found.append(Alert("srs_drop", {"previous": _fmt(srs[-2]), "total": _fmt(srs[-1])}))
    return found


@dataclass(frozen=True)
class Shown:
    """A number in an alert's text, written in the reader's language when the text is made (``str``):
    a caseload finds alerts for every client but shows the words for a few (Babel's formatting was a
    tenth of the largest caseload's first screen)."""

    value: float

    def __str__(self) -> str:
        return local_decimal(self.value)  # "19,9" in Finnish and Swedish, as the Reports write it


def _fmt(value: float) -> Shown:
    return Shown(value)


# --- the graph ------------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
MAX_TOTAL = 40.0


@dataclass(frozen=True)
class Chart:
    """Coordinates for the server-rendered SVG (viewBox WIDTH × HEIGHT)."""

    ors: list[tuple[float, float]]
    srs: list[tuple[float, float]]
    x_labels: list[tuple[float, int]]  # (x, meeting number)
    y_ticks: list[tuple[float, int]]
    cutoff_y: float | None
    band: tuple[float, float] | None  # (top y, bottom y) of intake ± reliable change
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_y: float = HEIGHT - BOTTOM


def y_of(total: float) -> float:
    return round(TOP + (1 - total / MAX_TOTAL) * (HEIGHT - TOP - BOTTOM), 1)


def x_of(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return round(LEFT + (span / 2 if count <= 1 else span * index / (count - 1)), 1)


def chart(points: list[Point], cutoff: float | None, reliable: float | None) -> Chart:
    count = len(points)
    ors = [(x_of(i, count), y_of(p.ors)) for i, p in enumerate(points) if p.ors is not None]
    srs = [(x_of(i, count), y_of(p.srs)) for i, p in enumerate(points) if p.srs is not None]
    intake = next((p.ors for p in points if p.ors is not None), None)
    band = None
    if intake is not None and reliable:
        band = (y_of(min(MAX_TOTAL, intake + reliable)), y_of(max(0.0, intake - reliable)))
    return Chart(ors=ors, srs=srs, x_labels=[(x_of(i, count), i + 1) for i in range(count)],
                 y_ticks=[(y_of(v), v) for v in range(0, 41, 10)],
                 cutoff_y=y_of(cutoff) if cutoff is not None else None, band=band)
