"""The crisis box's numbers: 112 always, then what the organisation configures (``CRISIS_LINES``).

Each line is ``{"name": {fi, sv, en}, "phone": "09 2525 0111" or {fi, sv, en}, "url": "...", "note": {fi, sv, en}}``
(a phone, a web address or both); names and notes are the organisation's own words in each language, as
a unit's names are, not catalog strings. Checked when the app starts: a bad line refuses to start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask, current_app

from portal.config import ConfigError

LANGUAGES = ("fi", "sv", "en")
_PHONE = re.compile(r"^\+?[0-9 ()-]{3,24}$")


@dataclass(frozen=True)
class CrisisLine:
    name: str
    phone: str | None
    url: str | None
    note: str | None

    @property
    def tel(self) -> str | None:
        return tel_href(self.phone) if self.phone else None


def tel_href(phone: str | None) -> str:
    """A ``tel:`` URI in international form: "09 2525 0111" → tel:+358925250111; short numbers stay (112)."""
    digits = re.sub(r"[^0-9+]", "", phone or "")
    if digits.startswith("0") and len(digits) > 5:
        digits = "+358" + digits[1:]
    return f"tel:{digits}"


def _text(value, locale: str, default: str | None = None) -> str | None:
    if isinstance(value, str) or value is None:
        return value or default
    return value.get(locale) or value.get("fi") or default


def lines_for(locale: str) -> list[CrisisLine]:
    """The configured lines in ``locale`` (Finnish where a language is missing)."""
    return [CrisisLine(_text(line["name"], locale), _text(line.get("phone"), locale), line.get("url"),
                       _text(line.get("note"), locale)) for line in current_app.config["CRISIS_LINES"]]


def check(app: Flask) -> None:
    """Refuse to start with a line that has no name in Finnish, or neither a usable phone nor an https address."""
    for number, line in enumerate(app.config["CRISIS_LINES"], 1):
        if not isinstance(line, dict) or not _text(line.get("name"), "fi"):
            raise ConfigError(f"PORTAL_CRISIS_LINES: line {number} needs a name (at least in Finnish)")
        phones = [_text(line.get("phone"), locale) for locale in LANGUAGES]
        if any(p and not _PHONE.match(p) for p in phones):
            raise ConfigError(f"PORTAL_CRISIS_LINES: line {number} has a phone number that is not a number")
        url = line.get("url")
        if url is not None and not str(url).startswith("https://"):
            raise ConfigError(f"PORTAL_CRISIS_LINES: line {number}: the web address must start with https://")
        if not any(phones) and not url:
            raise ConfigError(f"PORTAL_CRISIS_LINES: line {number} needs a phone number or a web address")
