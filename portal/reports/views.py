"""What a report page and its CSV show: each figure's rows as suppressed, formatted cells and chart bars.

Built once per request from ``FIGURES[key].run(filters)``; the page and the CSV read the same
``FigureView`` so their numbers (and their suppressed cells) are the same by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal

from portal.i18n import _
from portal.reports.queries import Figure, Filters, figures_of
from portal.reports.suppression import SUPPRESSED_DERIVED, Cell, suppress

NO_DATA = "–"


@dataclass(frozen=True)
class Bar:
    label: str
    values: list[tuple[float | None, str]]  # per series: (0..1 of the axis or None when hidden, the text shown)
    total: str = ""  # the row's first count (the length of a stacked bar)
    hidden: float = 0.0  # the part of a stacked bar made of suppressed cells (0..1 of the axis)


@dataclass(frozen=True)
class ChartView:
    kind: str
    series: list[str]  # the series' names (a legend when more than one)
    bars: list[Bar]
    target: float | None  # 0..1 of the axis
    target_text: str | None
    axis_max_text: str
    summary: str


@dataclass(frozen=True)
class FigureView:
    key: str
    title: str
    note: str | None
    headers: list[str]
    rows: list[list[str]]  # formatted cells, the group label first
    suppressed: bool  # some cell is hidden (the page explains the marks)
    chart: ChartView | None
    too_few: bool = False  # a chart was due, but every value in it is hidden: say so instead of drawing it


def minimum_cell() -> int:
    return int(current_app.config.get("REPORT_MIN_CELL", 5))


def report(programme: str, filters: Filters) -> list[FigureView]:
    return [figure_view(figure, filters) for figure in figures_of(programme)
            if not (figure.confidential and filters.worker_id is not None)]


def figure_view(figure: Figure, filters: Filters) -> FigureView:
    minimum = minimum_cell()
    cells = suppress(figure.columns, figure.run(filters), minimum, figure.row_total)
    labels = [_group(figure, row["group"].value) for row in cells]
    rows = [[label] + [format_cell(c.kind, row[c.key], minimum) for c in figure.columns[1:]]
            for label, row in zip(labels, cells, strict=True)]
    headers = [_header(c) for c in figure.columns]
    hidden = any(cell.suppressed for row in cells for cell in row.values())
    chart = _chart(figure, cells, labels, minimum) if figure.chart != "none" and cells else None
    too_few = chart is not None and not any(value is not None for bar in chart.bars for value, _text in bar.values) \
        and not any(bar.hidden for bar in chart.bars)
    return FigureView(figure.key, str(figure.title), str(figure.note) if figure.note else None, headers, rows, hidden,
                      None if too_few else chart, too_few)


def _group(figure: Figure, value) -> str:
    value = getattr(value, "value", value)
    return figure.group_label(str(value)) if figure.group_label else str(value)


def _header(column) -> str:
    title = str(column.title)
    if column.kind == "share":
        title = _("%(title)s (%%)", title=title)
    if column.target is not None:
        target = format_number(column.target * 100 if column.kind == "share" else column.target)
        title = _("%(title)s, target %(target)s", title=title, target=target)
    return title


def format_number(value: float) -> str:
    return format_decimal(value, format="0.#")


def format_cell(kind: str, cell: Cell, minimum: int) -> str:
    """The text of a cell: "<5" for a small count, ".." for anything else suppressed: a share or mean, and a
    count hidden only to protect a small one (showing it as "<5" would state something false)."""
    if cell.suppressed:
        small = kind == "count" and isinstance(cell.value, int) and 0 < cell.value < minimum
        return f"<{minimum}" if small else SUPPRESSED_DERIVED
    if cell.value is None:
        return NO_DATA
    if kind == "count":
        return str(int(cell.value))
    if kind == "share":
        return format_decimal(cell.value * 100, format="0.0")
    return format_decimal(cell.value, format="0.0")


def _chart_columns(figure: Figure):
    keys = figure.chart_columns or next(([c.key] for c in figure.columns if c.kind == "share"),
                                        [figure.columns[1].key])
    return [c for c in figure.columns if c.key in keys]


def _chart(figure: Figure, cells: list[dict[str, Cell]], labels: list[str], minimum: int) -> ChartView:
    columns = _chart_columns(figure)
    share = all(c.kind == "share" for c in columns)
    visible = [row[c.key].value for row in cells for c in columns if not row[c.key].suppressed
               and row[c.key].value is not None]
    top = 1.0 if share else (max(visible, default=0) or 1)
    if figure.chart == "stacked":  # bars as long as the row's total; hidden parts drawn as one blank piece
        total = figure.columns[1].key
        top = max((row[total].value or 0 for row in cells if not row[total].suppressed), default=0) or 1
    if figure.chart == "lines":
        top = 10.0  # 3X10D items are answered on 0–10
    target = next((c.target for c in columns if c.target is not None), None)
    bars = [Bar(label, [(None if row[c.key].suppressed or row[c.key].value is None else row[c.key].value / top,
                         _bar_text(c, row[c.key], minimum)) for c in columns],
                format_cell("count", row[figure.columns[1].key], minimum), _hidden_part(figure, columns, row, top))
            for label, row in zip(labels, cells, strict=True)]
    axis = "100 %" if share else format_number(top)
    shown_target = None if target is None else format_number(target * 100) + " %" if share else format_number(target)
    target_text = _("Target %(target)s", target=shown_target) if target is not None else None
    return ChartView(figure.chart, [str(c.title) for c in columns], bars,
                     target / top if target is not None and not figure.chart == "lines" else None, target_text, axis,
                     _summary(figure, columns[0], bars))


def _hidden_part(figure: Figure, columns, row: dict[str, Cell], top: float) -> float:
    total = row[figure.columns[1].key]
    if figure.chart != "stacked" or total.suppressed or not total.value:
        return 0.0
    shown = sum(row[c.key].value or 0 for c in columns if not row[c.key].suppressed)
    return max(total.value - shown, 0) / top


def _bar_text(column, cell: Cell, minimum: int) -> str:
    text = format_cell(column.kind, cell, minimum)
    return f"{text} %" if column.kind == "share" and text[:1].isdigit() else text


def _summary(figure: Figure, column, bars: list[Bar]) -> str:
    """One sentence for the chart's text alternative: how many groups, the highest and the lowest."""
    shown = [(bar.values[0][0], bar.label, bar.values[0][1]) for bar in bars if bar.values[0][0] is not None]
    if not shown:
        return _("%(title)s: no groups large enough to show.", title=str(figure.title))
    high, low = max(shown), min(shown)
    return _("%(title)s, %(measure)s: %(count)s groups; highest %(high_group)s (%(high)s), lowest %(low_group)s "
             "(%(low)s). The same figures are in the table below.", title=str(figure.title),
             measure=str(column.title), count=len(bars), high_group=high[1], high=high[2], low_group=low[1],
             low=low[2])
