"""Load and validate the instrument definition files at start-up and keep them on the app.

Every ``*.toml`` in ``MEASURES_INSTRUMENT_DIR`` (default: ``portal/measures/definitions``) is one version of
one instrument; several versions of one instrument may sit side by side. The newest is the one asked;
the database row for each version is made when it is first used (``operations.instrument_version``).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from pydantic import ValidationError

from portal.measures.definitions_schema import InstrumentDefinition

DEFAULT_DIR = Path(__file__).resolve().parent / "definitions"
_KEY = "silta.instruments"


class InstrumentDefinitionError(RuntimeError):
    """A definition file is broken; the message names the file and each problem."""


@dataclass(frozen=True)
class LoadedInstrument:
    definition: InstrumentDefinition
    checksum: str


def load_definitions(directory: Path) -> dict[tuple[str, int], LoadedInstrument]:
    """Parse every file; raise with every problem found, not just the first."""
    problems: list[str] = []
    loaded: dict[tuple[str, int], LoadedInstrument] = {}
    for path in sorted(directory.glob("*.toml")):
        raw = path.read_bytes()
        try:
            definition = InstrumentDefinition.model_validate(tomllib.loads(raw.decode("utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}: not valid TOML: {exc}")
            continue
        except ValidationError as exc:
            problems.extend(f"{path.name}: {'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}"
                            for e in exc.errors())
            continue
        key = (definition.code, definition.version)
        if key in loaded:
            problems.append(f"{path.name}: {definition.code} version {definition.version} is defined twice")
            continue
        loaded[key] = LoadedInstrument(definition, hashlib.sha256(raw).hexdigest())
    if problems:
        raise InstrumentDefinitionError("invalid instrument definitions:\n  " + "\n  ".join(problems))
    return loaded


def init_app(app: Flask) -> None:
    directory = Path(app.config.get("MEASURES_INSTRUMENT_DIR") or DEFAULT_DIR)
    app.extensions[_KEY] = load_definitions(directory)


def current(code: str) -> LoadedInstrument | None:
    """The newest version of an instrument, the one new answers are given on."""
    versions = [item for (c, _v), item in current_app.extensions[_KEY].items() if c == code]
    return max(versions, key=lambda item: item.definition.version, default=None)


def is_confidential(code: str) -> bool:
    """Whether answers to ``code`` are confidential feedback: decided by the newest installed version, so the
    answers given on earlier versions are kept from the worker too."""
    loaded = current(code)
    return loaded is not None and loaded.definition.confidential


def confidential_codes() -> list[str]:
    return [code for code in codes() if is_confidential(code)]


def codes() -> list[str]:
    return sorted({code for code, _version in current_app.extensions[_KEY]})
