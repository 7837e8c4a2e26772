"""Form plumbing shared by the features."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


def enum_choices(members: Iterable[enum.Enum], labels: Mapping, blank_label=None) -> list[SelectChoice]:
    """Select options for enum members with their translated labels (and an optional empty first option)."""
    options = [SelectChoice("", blank_label)] if blank_label is not None else []
    return options + [SelectChoice(m.value, labels[m]) for m in members]


class CheckboxesField(SelectMultipleField):
    """Checkboxes for a multiple choice (render with the ``checkbox_group`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
