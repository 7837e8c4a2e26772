"""What every template may use: labels for enum values, local dates, programme names."""

from __future__ import annotations

import enum

from flask import Flask
from flask_babel import get_locale, get_translations
from flask_login import current_user

from portal.audit import labels as audit_labels
from portal.auth import labels as auth_labels
from portal.caseload import labels as caseload_labels
from portal.i18n import (  # noqa: F401  (the date filters, re-exported: many modules import them from here)
    LANGUAGE_NAMES,
    local_date,
    local_datetime,
    local_decimal,
    local_percent,
    local_time,
    long_datetime,
)
from portal.meetings import labels as meeting_labels
from portal.people import labels as people_labels
from portal.programmes import labels as programme_labels
from portal.programmes import registry
from portal.video import labels as video_labels
from portal.web.navigation import main_navigation
from portal.web.translated import install as install_gettext
from portal.web.translated import make_gettext, make_ngettext

_TABLES = (audit_labels.LABELS, auth_labels.LABELS, caseload_labels.LABELS, meeting_labels.LABELS, people_labels.LABELS,
           programme_labels.LABELS, video_labels.LABELS)


# (enum class, value) → lazy label, over every feature's table: one lookup per label (pages show dozens).
_LABELS = {(type(member), member.value): text for table in reversed(_TABLES) for member, text in table.items()}


def label(value: enum.Enum | None) -> str:
    """The translated name of an enum member (its value if no feature labels it)."""
    if value is None:
        return ""
    text = _LABELS.get((type(value), value.value))
    return value.value if text is None else str(text)


def programme_name(code: str) -> str:
    definition = registry.definition(code)
    return definition.name.get(str(get_locale())) if definition else code


def programme_names(code: str, attribute: str, item_code: str) -> str:
    """The localised name of a programme's phase, contact type or support type, by code."""
    definition = registry.definition(code)
    items = getattr(definition, attribute, []) if definition else []
    item = next((i for i in items if i.code == item_code), None)
    return item.name.get(str(get_locale())) if item else item_code


def feature_label(feature: str) -> str:
    return str(audit_labels.FEATURES.get(feature, feature))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        label=label, programme_name=programme_name, programme_item=programme_names,
        language_names=LANGUAGE_NAMES, main_navigation=main_navigation, feature_label=feature_label,
    )
    app.jinja_env.filters.update(datetime=local_datetime, date=local_date, long_datetime=long_datetime,
                                 time=local_time, number=local_decimal, percent=local_percent)
    install_gettext(app.jinja_env)
    app.context_processor(_resolved_once)


def _resolved_once() -> dict:
    """The signed-in user and the request's catalog, looked up once per rendered page.

    Flask-Login offers ``current_user`` and Flask-Babel the template ``_()`` as proxies that find the
    request's context again on every use: a staff page used them ~30 and ~40 times, ~1.5 ms of CPU per
    page (bench/pages.py). The same objects, resolved once, for the page and for the macros imported
    ``with context``; macros imported without context keep the global (slower, same answer).
    """
    translations = get_translations()
    gettext = make_gettext(translations.ugettext)
    return {"current_user": current_user._get_current_object(), "gettext": gettext, "_": gettext,
            "ngettext": make_ngettext(translations.ungettext)}
