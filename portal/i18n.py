"""Languages: the one place ``_`` and ``_l`` come from, locale selection and catalog compilation."""

from __future__ import annotations

import logging
import os
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from flask import current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_timezone, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

from portal.config import ASSETS

TRANSLATIONS = ASSETS / "translations"
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
# Dates, times and numbers are written as readers in Finland expect, whatever the catalog language: Babel's
# plain "sv" writes ISO dates (2026-12-06) and "en" US ones (12/6/26, 19.9 vs 55,6 %). Finland Swedish
# writes 6.12.2026; British English 06/12/2026 and a 24-hour clock. The catalogs stay fi, sv and en.
FORMAT_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def translations():
    """The current language's catalog, looked up once per request.

    Flask-Babel's own lookup (its context through two proxies, the locale, ``str(locale)``, its cache) cost
    ~8 µs a string, and a page asks for 100-200 strings. The catalog is kept where Flask-Babel kept it in
    earlier versions, ``g._flask_babel.babel_translations``: ``flask_babel.refresh()`` deletes it and
    ``force_locale()`` sets it to None for its block and puts it back after, so both stay right."""
    namespace = _babel_namespace()
    found = getattr(namespace, "babel_translations", None)
    if found is None:
        found = get_translations()
        if (namespace := _babel_namespace()) is not None:  # get_translations() made it in an app context
            namespace.babel_translations = found
    return found


def _babel_namespace():
    """Flask-Babel's per-request namespace (``g._flask_babel``), or None before its first use or outside an
    app context."""
    app_context = _cv_app.get(None)
    return getattr(app_context.g, "_flask_babel", None) if app_context is not None else None


def gettext(string: str, **variables) -> str:
    """``_``: as Flask-Babel's gettext (a format string only when there are variables)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """``_l``: translated when used (form labels, module-level texts)."""
    return LazyString(gettext, string, **variables)


_ = gettext
_l = lazy_gettext


def select_locale() -> str:
    """The signed-in user's saved language, else this session's choice, else the browser's, else Finnish."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    for candidate in (user_locale, session.get("locale")):
        if candidate in languages:
            return candidate
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def compile_catalogs(directory: Path = TRANSLATIONS) -> int:
    """Compile every ``.po`` whose ``.mo`` is missing or older; returns how many were compiled."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = 0
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        # Written beside and renamed into place: several processes starting at once never read half a file.
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        partial.replace(mo_path)
        compiled += 1
    return compiled


def ensure_catalogs(directory: Path = TRANSLATIONS) -> None:
    """Compile the catalogs that have no ``.mo`` at all (a fresh checkout served by gunicorn); a read-only
    installation without them is logged, not fatal (pages then fall back to the English msgids)."""
    if all(po.with_suffix(".mo").exists() for po in directory.glob("*/LC_MESSAGES/*.po")):
        return
    try:
        compile_catalogs(directory)
    except OSError as exc:
        logging.getLogger(__name__).error("translation catalogs are not compiled and cannot be (%s): run "
                                          "`silta prepare`", type(exc).__name__)


def format_locale() -> Locale:
    """The Babel locale for dates and numbers in the current language (see FORMAT_LOCALES).

    A parsed ``Locale``, kept per process: Babel re-parses a locale given as a string on every call, which
    made a date cost 70 µs instead of 13 (a caseload page formats ~50 dates and numbers). The request's
    language is read from Flask-Babel's namespace directly (see ``translations``)."""
    return _format_of(getattr(_babel_namespace(), "babel_locale", None) or get_locale() or Locale("fi"))


@cache
def _format_of(language: Locale) -> Locale:
    identifier = str(language)
    return Locale.parse(FORMAT_LOCALES.get(identifier, identifier))


def _timezone():
    return getattr(_babel_namespace(), "babel_tzinfo", None) or get_timezone()


_STEPS = {digits: Decimal(1).scaleb(-digits) for digits in range(4)}


@cache
def _decimal_symbol(locale: Locale) -> str:
    return locale.number_symbols["latn"]["decimal"]


@cache
def _decimal_pattern(digits: int, fixed: bool) -> NumberPattern:
    return parse_pattern("0." + ("0" if fixed else "#") * digits)


# Dates, times and numbers in the Helsinki zone, in the reader's language as written in Finland (FORMAT_LOCALES:
# Babel's plain "sv" and "en" write ISO and US dates). Pages (as filters), refusals and messages use these.

def local_date(value: date | None, fmt: str = "medium") -> str:
    """A date (or the date of a moment, where the reader is) as written in the reader's language."""
    from babel import dates

    if value is None:
        return ""
    if isinstance(value, datetime):  # the date where the reader is, not in UTC
        value = value.astimezone(_timezone()) if value.tzinfo else value
    return dates.format_date(value, fmt, locale=format_locale())


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    from babel import dates

    return "" if value is None else dates.format_datetime(value, fmt, tzinfo=_timezone(), locale=format_locale())


def local_time(value: datetime | None, fmt: str = "short") -> str:
    from babel import dates

    return "" if value is None else dates.format_time(value, fmt, tzinfo=_timezone(), locale=format_locale())


def long_datetime(value: datetime | None) -> str:
    """'torstai 26. marraskuuta 2026 klo 14.15': the weekday spelled out, no seconds or zone name."""
    if value is None:
        return ""
    return _("%(date)s at %(time)s", date=local_date(value, "full"), time=local_time(value))


def local_decimal(value: float | None, digits: int = 1, fixed: bool = False) -> str:
    """19.9 → "19,9" in Finnish and Swedish; whole numbers without decimals ("20") unless ``fixed`` ("20,0")."""
    if value is None:
        return ""
    locale = format_locale()
    if abs(value) >= 1000:  # grouping digits: Babel's pattern knows the locale's rules
        return _decimal_pattern(digits, fixed).apply(value, locale)
    # Below a thousand, the same digits as Babel's (its decimal rounding, half to even, of the shortest repr) at
    # a twentieth of the cost: an FIT alert's text writes several, a caseload page dozens.
    if digits not in _STEPS:
        return _decimal_pattern(digits, fixed).apply(value, locale)
    exact = Decimal(repr(value))
    text = f"{abs(exact.quantize(_STEPS[digits], ROUND_HALF_EVEN)):f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    # The pattern's own minus, as Babel writes it: "-", also before a negative number that rounds to 0.
    return ("-" if exact.is_signed() else "") + text.replace(".", _decimal_symbol(locale))


def local_percent(value: float | None, digits: int = 1) -> str:
    """0.556 → "55,6 %" in Finnish and Swedish, "55.6%" in English: the locale's own percent pattern."""
    from babel.numbers import format_percent

    if value is None:
        return ""
    locale = format_locale()
    pattern = locale.percent_formats[None].pattern.replace("0", "0." + "0" * digits, 1) if digits else None
    return format_percent(value, format=pattern, locale=locale)
