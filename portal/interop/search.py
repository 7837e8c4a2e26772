"""Search parameters and paging for the FHIR API: one ``Search`` per request, declared parameters only.

Each search declares its parameters (name → FHIR search-parameter type); the CapabilityStatement is built
from the same declarations, so what it promises is what the parser accepts. An undeclared parameter, a
repeated one that cannot repeat or a malformed value is a 400 OperationOutcome: a caller who thinks it
filtered must not get more than it asked for.

- ``date`` values take FHIR's prefixes (eq, ne, gt, lt, ge, le, sa, eb; ``ap`` is taken as eq) and any
  precision from a year to seconds; without a zone they are Helsinki time. Repeating the parameter ANDs.
- ``token`` values may list alternatives with commas (``status=booked,fulfilled``).
- Paging: ``_count`` (default ``DEFAULT_COUNT``, at most ``MAX_COUNT``; 0 gives only the total) and
  ``_offset``; the Bundle links ``self``, ``first``, ``previous``, ``next`` and ``last`` keep every other
  parameter. Every search sorts on a stable key ending in the id, so pages never overlap or skip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from fhir.resources.R4B.bundle import Bundle
from flask import request
from werkzeug.exceptions import BadRequest

from portal.scheduling.timeutil import HELSINKI

DEFAULT_COUNT = 50
MAX_COUNT = 100
MAX_OFFSET = 100_000
# Parameters every search takes besides its own: paging and the format (negotiated in routes.py).
CONTROL = {"_count": "number", "_offset": "number"}
IGNORED = {"_format"}
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                     r"(Z|[+-]\d{2}:\d{2})?)?)?)?$")
EPSILON = timedelta(microseconds=1)


class NotSupported(BadRequest):
    """A search or format this server does not do: 400 with the issue code ``not-supported``."""

    fhir_code = "not-supported"


class Invalid(BadRequest):
    """A malformed parameter value: 400 with the issue code ``invalid``."""

    fhir_code = "invalid"


@dataclass(frozen=True)
class DateBound:
    prefix: str
    low: datetime
    high: datetime  # exclusive

    def matches(self, low: datetime, high: datetime) -> bool:
        """Whether the resource's range [low, high) matches, by FHIR's rules for ranges."""
        inside = self.low <= low and high <= self.high
        return {"eq": inside, "ap": inside, "ne": not inside, "gt": high > self.high, "lt": low < self.low,
                "ge": high > self.low, "le": low < self.high, "sa": low >= self.high,
                "eb": high <= self.low}[self.prefix]


def parse_date(value: str) -> DateBound:
    prefix = value[:2] if value[:2] in PREFIXES else "eq"
    text = value[2:] if value[:2] in PREFIXES else value
    text = text.replace(" ", "+")  # an unencoded "+" of a zone offset arrives as a space
    match = DATE_RE.match(text)
    if not match:
        raise Invalid(f"Not a FHIR date: {value!r} (e.g. ge2026-01-01 or 2026-07-15T10:00:00+03:00).")
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        tz = HELSINKI if zone is None else UTC if zone == "Z" else datetime.strptime(zone, "%z").tzinfo
        start = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                         int(second or 0), tzinfo=tz)
    except ValueError as exc:
        raise Invalid(f"Not a FHIR date: {value!r}.") from exc
    if month is None:
        end = start.replace(year=start.year + 1)
    elif day is None:
        end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    elif hour is None:
        end = datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=tz)
    else:
        end = start + (timedelta(seconds=1) if second is not None else timedelta(minutes=1))
    return DateBound(prefix, start.astimezone(UTC), end.astimezone(UTC))


def as_range(value: date | datetime) -> tuple[datetime, datetime]:
    """A resource's date (a Helsinki day) or instant as the range FHIR compares with."""
    if isinstance(value, datetime):
        return value, value + EPSILON
    start = datetime.combine(value, time(), tzinfo=HELSINKI)
    return start.astimezone(UTC), datetime.combine(value + timedelta(days=1), time(), tzinfo=HELSINKI).astimezone(UTC)


class Search:
    """The parameters of one search request, checked against what the search declares."""

    def __init__(self, params: Mapping[str, str], args=None) -> None:
        self.params, self.args = params, request.args if args is None else args
        unknown = sorted(set(self.args) - set(params) - set(CONTROL) - IGNORED)
        if unknown:
            raise NotSupported(f"Unsupported search parameter(s): {', '.join(unknown)}. "
                               f"Supported: {', '.join(sorted(params)) or 'none'}.")
        self.count = min(self._number("_count", DEFAULT_COUNT), MAX_COUNT)
        self.offset = self._number("_offset", 0)

    def _number(self, name: str, default: int) -> int:
        values = self.args.getlist(name)
        if not values:
            return default
        if len(values) > 1 or not values[0].isdigit() or int(values[0]) > MAX_OFFSET:
            raise Invalid(f"{name} takes one whole number from 0 to {MAX_OFFSET}.")
        return int(values[0])

    def one(self, *names: str) -> str | None:
        """The value of one of ``names`` (synonyms, e.g. subject and patient), given at most once."""
        given = [value for name in names for value in self.args.getlist(name)]
        if len(given) > 1:
            raise NotSupported(f"Give {' or '.join(names)} once.")
        return given[0] if given else None

    def tokens(self, name: str) -> set[str] | None:
        """The codes a token parameter allows (commas are alternatives, repeats must all hold); None: any."""
        values = self.args.getlist(name)
        if not values:
            return None
        sets = [{code.rsplit("|", 1)[-1] for code in value.split(",") if code} for value in values]
        return set.intersection(*sets)

    def dates(self, name: str) -> list[DateBound]:
        return [parse_date(value) for value in self.args.getlist(name)]

    def page(self, rows: Sequence) -> Sequence:
        return rows[self.offset:self.offset + self.count]

    def bundle(self, total: int, entries: list[tuple[str, object]]) -> Bundle:
        """A searchset Bundle of one page: (full URL, resource) pairs, with the paging links."""
        links = [{"relation": "self", "url": self._url(self.offset)}, {"relation": "first", "url": self._url(0)}]
        if self.count and self.offset > 0:
            links.append({"relation": "previous", "url": self._url(max(self.offset - self.count, 0))})
        if self.count and self.offset + self.count < total:
            links.append({"relation": "next", "url": self._url(self.offset + self.count)})
        if self.count:
            links.append({"relation": "last", "url": self._url(max(total - 1, 0) // self.count * self.count)})
        return Bundle(type="searchset", total=total, link=links,
                      entry=[{"fullUrl": url, "resource": resource, "search": {"mode": "match"}}
                             for url, resource in entries] or None)

    def _url(self, offset: int) -> str:
        pairs = [(k, v) for k, values in self.args.lists() if k not in CONTROL for v in values]
        pairs += [("_count", str(self.count)), ("_offset", str(offset))]
        return f"{request.base_url}?{urlencode(pairs)}"


def date_filter(bounds: list[DateBound], value: Callable) -> Callable[[object], bool]:
    """A predicate: the row's date (``value(row)``, a date or datetime or None) matches every bound."""
    def keep(row) -> bool:
        got = value(row)
        if got is None:
            return not bounds
        low, high = as_range(got)
        return all(b.matches(low, high) for b in bounds)
    return keep


def reference_id(value: str | None, resource_type: str) -> str | None:
    """The id in ``<Type>/<id>`` or a bare id; 400 for a reference to another type."""
    if value is None:
        return None
    if value.startswith(f"{resource_type}/"):
        return value.removeprefix(f"{resource_type}/")
    if "/" in value:
        raise NotSupported(f"Only {resource_type} references are supported here.")
    return value
