"""Translated names for the values figures group by (raw codes never reach a page or a CSV)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import get_locale

from portal.i18n import _, _l
from portal.meetings.labels import LABELS as MEETING_LABELS
from portal.people.labels import LABELS as PEOPLE_LABELS
from portal.people.models import DiagnosisGroup, Gender
from portal.programmes import registry
from portal.programmes.definitions_schema import Modality

FILTER_ERRORS = {
    "period": _l("Enter the period as two dates (e.g. 1.1.2026 and 31.12.2026), the first not after the last."),
    "period_long": _l("The period can be at most ten years long."),
    "unit": _l("Choose a unit from the list."),
    "municipality": _l("Choose a municipality from the list."),
    "client_group": _l("Choose a client group from the list."),
}


def _enum(enum_class, table) -> Callable[[str], str]:
    def label(value: str) -> str:
        try:
            return str(table[enum_class(value)])
        except (ValueError, KeyError):
            return str(value)
    return label


gender = _enum(Gender, PEOPLE_LABELS)
modality = _enum(Modality, MEETING_LABELS)


def diagnosis(value: str) -> str:
    if value == "unrecorded":
        return _("Not recorded")
    return _enum(DiagnosisGroup, PEOPLE_LABELS)(value)


def all_group(value: str) -> str:
    return _("All clients in the report")


def _from_definition(programme: str, attribute: str) -> Callable[[str], str]:
    def label(value: str) -> str:
        definition = registry.definition(programme)
        items = {item.code: item for item in getattr(definition, attribute)} if definition else {}
        return items[value].name.get(str(get_locale())) if value in items else str(value)
    return label


def support_type(programme: str) -> Callable[[str], str]:
    return _from_definition(programme, "support_types")


def phase(programme: str) -> Callable[[str], str]:
    return _from_definition(programme, "phases")


def age_band(value: str) -> str:
    return _("%(band)s years", band=value.replace("-", "–"))


def client_groups() -> list[tuple[str, str]]:
    """The client-group filter's choices: (value, label)."""
    from portal.reports.queries import AGE_BANDS

    choices = [(f"age:{name}", _("Age %(band)s", band=age_band(name))) for name, _lo, _hi in AGE_BANDS]
    choices += [(f"gender:{g.value}", str(PEOPLE_LABELS[g])) for g in Gender]
    choices += [(f"diagnosis:{d.value}", str(PEOPLE_LABELS[d])) for d in DiagnosisGroup]
    return choices


def instrument_item(instrument: str) -> Callable[[str], str]:
    """An item's wording from the newest version of an instrument (3X10D's areas, the feedback questions)."""
    def label(value: str) -> str:
        from portal.measures import instruments

        loaded = instruments.current(instrument)
        items = {item.code: item for item in loaded.definition.items} if loaded else {}
        return items[value].text.get(str(get_locale())) if value in items else str(value)
    return label


def municipality(code: str) -> str:
    from portal.extensions import db
    from portal.people.models import Municipality

    row = db.session.get(Municipality, code) if code and code != "None" else None
    return row.name(str(get_locale())) if row else _("Municipality not recorded")


def intake_channel(code: str):
    from portal.intake.labels import LABELS as INTAKE_LABELS
    from portal.intake.models import IntakeChannel

    return INTAKE_LABELS[IntakeChannel(code)]


def assessment_rule(code: str) -> str:
    return {"priority": _("Priority group (started by the 7th working day)"),
            "undue_delay": _("Without undue delay")}.get(code, code)


def service_type(code: str) -> str:
    from portal.intake.labels import LABELS as INTAKE_LABELS
    from portal.intake.models import HousingServiceType

    return str(INTAKE_LABELS[HousingServiceType(code)])


def service_and_municipality(value: str) -> str:
    service, _sep, code = value.partition("|")
    return _("%(service)s, %(municipality)s", service=service_type(service), municipality=municipality(code))
