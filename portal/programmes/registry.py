"""The loaded programme definitions for the running app (kept on the app, not in module state)."""

from __future__ import annotations

from flask import Flask, current_app

from portal.programmes.definitions_schema import ProgrammeDefinition
from portal.programmes.loader import LoadedProgramme, load_definitions

_KEY = "silta.programmes"


def init_app(app: Flask) -> None:
    """Load and validate every definition; a broken one stops start-up here."""
    from pathlib import Path

    app.extensions[_KEY] = load_definitions(Path(app.config["PROGRAMME_DIR"]))


def loaded() -> dict[str, LoadedProgramme]:
    return current_app.extensions[_KEY]


def definition(code: str) -> ProgrammeDefinition | None:
    item = loaded().get(code)
    return item.definition if item else None


def all_definitions() -> list[ProgrammeDefinition]:
    return [item.definition for item in loaded().values()]
