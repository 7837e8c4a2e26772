"""Scoring and change: pure functions over an instrument definition and plain values (tested by hypothesis).

Values arrive as form strings; ``parse`` turns them into numbers (lines to one decimal, choices to whole
numbers), booleans (yes/no) or text, and reports each problem by item code with a message key (see
``labels.ERRORS``) — nothing half-parsed is ever returned as valid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from portal.measures.definitions_schema import Band, InstrumentDefinition, Item, ItemType, Total

TEXT_LIMIT = 2000
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Parsed:
    values: dict[str, float | int | bool | str]
    errors: dict[str, str]  # item code → message key


def parse(definition: InstrumentDefinition, raw: Mapping[str, str], complete: bool) -> Parsed:
    """Read the submitted values; with ``complete``, every required item must be there."""
    values: dict[str, float | int | bool | str] = {}
    errors: dict[str, str] = {}
    for item in definition.items:
        text = (raw.get(item.code) or "").strip()
        if not text:
            if complete and item.required:
                errors[item.code] = "missing"
            continue
        value, error = _parse_item(item, text)
        if error:
            errors[item.code] = error
        elif value is not None:
            values[item.code] = value
    return Parsed(values, errors)


def _parse_item(item: Item, text: str) -> tuple[float | int | bool | str | None, str | None]:
    if item.type is ItemType.TEXT:
        return text[:TEXT_LIMIT], None
    if item.type is ItemType.YES_NO:
        return (text == YES, None) if text in (YES, NO) else (None, "choice")
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None, "number"
    if not number.is_finite():
        return None, "number"
    # Range first: quantizing a huge exponent (1e400) would overflow the decimal context.
    if not item.min <= number <= item.max:
        return None, "range"
    if item.type is ItemType.CHOICE:
        if number != number.to_integral_value():
            return None, "whole"
        number_value: float | int = int(number)
    else:
        number_value = float(number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    if not item.min <= number_value <= item.max:
        return None, "range"
    return number_value, None


def total(definition: InstrumentDefinition, values: Mapping[str, object]) -> float | None:
    """The sum (FIT) or mean (3X10D) of the scored items; None when any is missing or there is none."""
    items = definition.scored_items
    if definition.scoring.total is Total.NONE or not items:
        return None
    numbers = [values.get(item.code) for item in items]
    if any(not isinstance(n, int | float) or isinstance(n, bool) for n in numbers):
        return None
    if definition.scoring.total is Total.SUM:
        return round(math.fsum(numbers), 1)
    return round(math.fsum(numbers) / len(numbers), 2)


def item_mean(definition: InstrumentDefinition, values: Mapping[str, object]) -> float | None:
    """The mean of the scored items whatever the instrument's total (3X10D has no total score, but seed 002
    follows the change in the mean of all items); None when any item is missing."""
    numbers = [values.get(item.code) for item in definition.scored_items]
    if not numbers or any(not isinstance(n, int | float) or isinstance(n, bool) for n in numbers):
        return None
    return round(math.fsum(numbers) / len(numbers), 2)


def band(definition: InstrumentDefinition, value: float | None) -> Band | None:
    """The traffic-light band a value falls in (inclusive ends)."""
    if value is None:
        return None
    return next((b for b in definition.bands if b.min <= value <= b.max), None)


def cutoff(definition: InstrumentDefinition, age: int | None) -> float | None:
    """The clinical cutoff for this age: the youth cutoff up to ``youth_age_max`` (13–17 for ORS)."""
    s = definition.scoring
    if age is not None and s.youth_age_max is not None and s.cutoff_youth is not None and age <= s.youth_age_max:
        return s.cutoff_youth
    return s.cutoff_adult


def percent_change(start: float | None, end: float | None) -> float | None:
    """Change from start to end as a percentage of the start (None when it cannot be computed)."""
    if start is None or end is None or start <= 0:
        return None
    return round((end - start) / start * 100, 2)


def mean(values: Sequence[float]) -> float | None:
    return round(math.fsum(values) / len(values), 2) if values else None


class Change:
    IMPROVED = "improved"
    WORSENED = "worsened"
    NO_RELIABLE_CHANGE = "none"


def reliable_change(first: float, latest: float, threshold: float) -> str:
    """Improved or worsened by at least the reliable-change amount, or no reliable change."""
    difference = round(latest - first, 1)
    if difference >= threshold:
        return Change.IMPROVED
    if difference <= -threshold:
        return Change.WORSENED
    return Change.NO_RELIABLE_CHANGE
