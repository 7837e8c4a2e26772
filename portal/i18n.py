"""Languages: the one place ``_`` and ``_l`` come from, locale selection and catalog compilation."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_babel import gettext as _  # noqa: F401  (re-exported)
from flask_babel import lazy_gettext as _l  # noqa: F401
from flask_babel import ngettext  # noqa: F401
from flask_login import current_user

from portal.config import ASSETS

TRANSLATIONS = ASSETS / "translations"
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}


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
