"""Load and validate the programme definition files at start-up."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from portal.programmes.definitions_schema import ProgrammeDefinition


class ProgrammeDefinitionError(RuntimeError):
    """A definition file is broken; the message names the file and each problem."""


@dataclass(frozen=True)
class LoadedProgramme:
    definition: ProgrammeDefinition
    checksum: str
    path: Path


def load_definitions(directory: Path) -> dict[str, LoadedProgramme]:
    """Parse every ``*.toml`` in ``directory``; raise with every problem found, not just the first."""
    problems: list[str] = []
    loaded: dict[str, LoadedProgramme] = {}
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise ProgrammeDefinitionError(f"no programme definitions (*.toml) in {directory}")
    for path in files:
        raw = path.read_bytes()
        try:
            definition = ProgrammeDefinition.model_validate(tomllib.loads(raw.decode("utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}: not valid TOML: {exc}")
            continue
        except ValidationError as exc:
            problems.extend(f"{path.name}: {_where(err)}: {err['msg']}" for err in exc.errors())
            continue
        if definition.code in loaded:
            other = loaded[definition.code].path.name
            problems.append(f"{path.name}: code {definition.code!r} is also used by {other}")
            continue
        loaded[definition.code] = LoadedProgramme(definition, hashlib.sha256(raw).hexdigest(), path)
    if problems:
        raise ProgrammeDefinitionError("invalid programme definitions:\n  " + "\n  ".join(problems))
    return loaded


def _where(error: dict) -> str:
    return ".".join(str(part) for part in error["loc"]) or "(file)"
