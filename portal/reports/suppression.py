"""Small-cell suppression, once for the page and the CSV (so both hide exactly the same cells).

Rules (README, "Reports"):

1. Primary: a count from 1 to ``minimum - 1`` is shown as "<minimum". Zero is shown: nobody is
   identified by nobody.
2. Derived: in a row where any count is suppressed, every share, mean and number is suppressed too
   (a share of a known total gives the count back). So is any derived value whose base count is
   suppressed.
3. Secondary: where exactly one cell of a count column is suppressed in a figure of two or more
   rows, the next-smallest non-zero cell of that column is suppressed as well (with its row's derived
   cells), so the suppressed cell cannot be recovered from a total shown elsewhere (e.g. the same
   contacts counted by gender on one figure and by age band on the next). The same holds inside a row
   whose counts add up to a shown total (``Figure.row_total``, e.g. contacts by channel), repeated
   until no line has a single hidden cell.

Not covered (documented): differences between two different periods or filter choices a user asks
for one after the other. Small groups stay protected within one view, not across many queries.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESSED_DERIVED = ".."  # Statistics Finland's mark for a figure that cannot be published


@dataclass(frozen=True)
class Cell:
    value: object
    suppressed: bool = False


def _small(value, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < minimum


def suppress(columns, rows: list[dict], minimum: int, row_total: str | None = None) -> list[dict[str, Cell]]:
    """The rows as cells, with the suppressed ones marked (``columns``: the figure's Column list).

    ``row_total``: the count column that is the sum of the row's other counts (e.g. contacts of every
    channel); a single hidden part would be the total minus the shown ones, so it gets a partner too.
    """
    counts = [c.key for c in columns if c.kind == "count"]
    hidden = [{key for key in counts if _small(row.get(key), minimum)} for row in rows]
    changed = True
    while changed:  # each partner can leave another line with a single hidden cell
        changed = False
        if len(rows) > 1:
            for key in counts:
                changed |= _complement([row.get(key) for row in rows], [key in h for h in hidden],
                                       lambda i, key=key: hidden[i].add(key))
        if row_total:
            parts = [key for key in counts if key != row_total]
            for row, keys in zip(rows, hidden, strict=True):
                if row_total not in keys:
                    changed |= _complement([row.get(key) for key in parts], [key in keys for key in parts],
                                           lambda i, keys=keys, parts=parts: keys.add(parts[i]))
    return [_cells(columns, row, hidden_keys) for row, hidden_keys in zip(rows, hidden, strict=True)]


def _complement(values: list, hidden: list[bool], hide) -> bool:
    """When exactly one of ``values`` is hidden, hide the smallest other non-zero one; True if it did."""
    if sum(hidden) != 1:
        return False
    candidates = [(value, i) for i, value in enumerate(values)
                  if not hidden[i] and isinstance(value, int) and value > 0]
    if not candidates:
        return False
    hide(min(candidates)[1])
    return True


def _cells(columns, row: dict, hidden_keys: set[str]) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for column in columns:
        value = row.get(column.key)
        if column.kind == "count":
            cells[column.key] = Cell(value, column.key in hidden_keys)
        elif column.kind == "label":
            cells[column.key] = Cell(value)
        else:
            cells[column.key] = Cell(value, bool(hidden_keys) or column.base in hidden_keys)
    return cells
