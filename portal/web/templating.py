"""What every template may use: labels for enum values, local dates, programme names."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_time, get_locale

from portal.audit import labels as audit_labels
from portal.auth import labels as auth_labels
from portal.caseload import labels as caseload_labels
from portal.i18n import LANGUAGE_NAMES, _
from portal.meetings import labels as meeting_labels
from portal.people import labels as people_labels
from portal.programmes import labels as programme_labels
from portal.programmes import registry
from portal.video import labels as video_labels
from portal.web.navigation import main_navigation

_TABLES = (audit_labels.LABELS, auth_labels.LABELS, caseload_labels.LABELS, meeting_labels.LABELS, people_labels.LABELS,
           programme_labels.LABELS, video_labels.LABELS)


def label(value: enum.Enum | None) -> str:
    """The translated name of an enum member (its value if no feature labels it)."""
    if value is None:
        return ""
    return str(next((table[value] for table in _TABLES if value in table), value.value))


def programme_name(code: str) -> str:
    definition = registry.definition(code)
    return definition.name.get(str(get_locale())) if definition else code


def programme_names(code: str, attribute: str, item_code: str) -> str:
    """The localised name of a programme's phase, contact type or support type, by code."""
    definition = registry.definition(code)
    items = getattr(definition, attribute, []) if definition else []
    item = next((i for i in items if i.code == item_code), None)
    return item.name.get(str(get_locale())) if item else item_code


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return "" if value is None else format_datetime(value, fmt)


def long_datetime(value: datetime | None) -> str:
    """'torstai 26. marraskuuta 2026 klo 14.15': the weekday spelled out, no seconds or zone name."""
    if value is None:
        return ""
    return _("%(date)s at %(time)s", date=format_date(value, "full"), time=format_time(value, "short"))


def local_date(value: date | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def feature_label(feature: str) -> str:
    return str(audit_labels.FEATURES.get(feature, feature))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        label=label, programme_name=programme_name, programme_item=programme_names,
        language_names=LANGUAGE_NAMES, main_navigation=main_navigation, feature_label=feature_label,
    )
    app.jinja_env.filters.update(datetime=local_datetime, date=local_date, long_datetime=long_datetime)
