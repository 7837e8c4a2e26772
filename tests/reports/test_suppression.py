"""Small-cell suppression rules, on plain rows (no database)."""

from __future__ import annotations

from portal.reports.queries import Column
from portal.reports.suppression import suppress

COLUMNS = (Column("group", "Group", "label"), Column("contacts", "Contacts"), Column("remote", "Remote"),
           Column("share", "Share", "share", base="contacts"))


def hidden(rows, minimum=5):
    return [{key for key, cell in row.items() if cell.suppressed} for row in suppress(COLUMNS, rows, minimum)]


def row(group, contacts, remote):
    return {"group": group, "contacts": contacts, "remote": remote, "share": remote / contacts if contacts else None}


def test_counts_under_the_threshold_are_hidden_and_zero_is_not():
    assert hidden([row("a", 40, 0)]) == [set()]
    assert hidden([row("a", 40, 4)]) == [{"remote", "share"}]  # the share would give the 4 back
    assert hidden([row("a", 40, 5)]) == [set()]


def test_a_share_of_a_hidden_total_is_hidden():
    assert hidden([row("a", 3, 3)]) == [{"contacts", "remote", "share"}]


def test_one_hidden_cell_in_a_column_takes_the_next_smallest_with_it():
    """Otherwise the total of another figure minus the shown cells gives the hidden one back."""
    rows = [row("a", 40, 30), row("b", 3, 2), row("c", 12, 9), row("d", 0, 0)]
    assert hidden(rows) == [set(), {"contacts", "remote", "share"}, {"contacts", "remote", "share"}, set()]


def test_two_hidden_cells_protect_each_other():
    rows = [row("a", 40, 30), row("b", 3, 2), row("c", 4, 1)]
    assert hidden(rows) == [set(), {"contacts", "remote", "share"}, {"contacts", "remote", "share"}]


def test_the_threshold_is_configurable():
    assert hidden([row("a", 3, 3)], minimum=1) == [set()]
    assert hidden([row("a", 9, 9)], minimum=10) == [{"contacts", "remote", "share"}]


def test_a_single_hidden_part_of_a_shown_row_total_takes_a_partner():
    """Contacts by channel with their total: 9 = 5 + 3 + 1 would give the 3 back if only it were hidden."""
    columns = (Column("group", "Group", "label"), Column("total", "Total"), Column("a", "A"), Column("b", "B"),
               Column("c", "C"))
    rows = [{"group": "x", "total": 14, "a": 8, "b": 6, "c": 0}, {"group": "y", "total": 9, "a": 5, "b": 3, "c": 1}]
    cells = suppress(columns, rows, 5, row_total="total")
    hidden_cells = [{key for key, cell in row.items() if cell.suppressed} for row in cells]
    # No line (a row's parts, or a column) is left with exactly one hidden cell.
    assert "total" not in hidden_cells[1]
    for keys in hidden_cells:
        parts = keys - {"total"}
        assert len(parts) != 1, hidden_cells


def test_a_count_hidden_to_protect_a_small_one_reads_as_unpublishable_not_as_small():
    """The partner of a small cell is not small itself: "<5" there would be false, so it reads ".."."""
    from portal.reports.views import format_cell

    rows = [row("a", 40, 30), row("b", 3, 2), row("c", 12, 9)]
    cells = suppress(COLUMNS, rows, 5)
    assert format_cell("count", cells[1]["contacts"], 5) == "<5"
    assert format_cell("count", cells[2]["contacts"], 5) == ".."
    assert format_cell("count", cells[0]["contacts"], 5) == "40"
