"""The areas of the structured service-needs assessment are the organisation's data, checked at start.

Seed 001's county agreed a uniform, structured and client-participatory way of recording the assessment
(PTA); its agreed structure is in its own instructions, not in the seed. Silta ships one file per language
in ``portal/intake/assessment_areas/<language>.toml`` whose areas use only the seed's own words; a county
points ``INTAKE_ASSESSMENT_AREAS_DIR`` at its own folder of the same shape. Every language lists the same
area codes in the same order; a missing file, a bad code or a mismatch stops start-up with the file named.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

DEFAULT_DIR = Path(__file__).resolve().parent / "assessment_areas"
LANGUAGES = ("fi", "sv", "en")
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_KEY = "silta.intake.assessment_areas"


class AssessmentAreaError(RuntimeError):
    """An area definition file is missing or broken; the message names every file and problem."""


@dataclass(frozen=True)
class Area:
    code: str
    names: dict[str, str]

    def name(self, locale: str) -> str:
        return self.names.get(locale, self.names["fi"])


def load(directory: Path) -> list[Area]:
    """The areas in ``directory``; raise with every problem found, not just the first."""
    problems: list[str] = []
    by_language: dict[str, list[tuple[str, str]]] = {}
    for language in LANGUAGES:
        path = directory / f"{language}.toml"
        try:
            rows = tomllib.loads(path.read_text(encoding="utf-8")).get("areas")
        except FileNotFoundError:
            problems.append(f"{path}: missing (the areas are needed in every language: {LANGUAGES})")
            continue
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: not valid TOML: {exc}")
            continue
        problems.extend(_check(path, rows))
        if isinstance(rows, list):
            by_language[language] = [(str(r.get("code")), str(r.get("name", "")).strip()) for r in rows
                                     if isinstance(r, dict)]
    codes = {language: [code for code, _ in rows] for language, rows in by_language.items()}
    for language, listed in codes.items():
        if listed != codes.get("fi", listed):
            problems.append(f"{directory / f'{language}.toml'}: area codes differ from fi.toml: {listed}")
    if problems:
        raise AssessmentAreaError("invalid assessment areas:\n  " + "\n  ".join(problems))
    return [Area(code, {lang: dict(by_language[lang])[code] for lang in LANGUAGES}) for code in codes["fi"]]


def _check(path: Path, rows) -> list[str]:
    if not isinstance(rows, list) or not 1 <= len(rows) <= 20:
        return [f"{path}: give 1 to 20 [[areas]], each with a code and a name"]
    problems, seen = [], set()
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or set(row) != {"code", "name"}:
            problems.append(f"{path}: area {n}: give exactly a code and a name")
            continue
        code, name = row["code"], row["name"]
        if not isinstance(code, str) or not CODE.match(code) or code in seen:
            problems.append(f"{path}: area {n}: code {code!r} is not a unique lower-case code")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
            problems.append(f"{path}: area {n}: the name must be 1 to 200 characters")
        seen.add(code)
    return problems


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = load(Path(app.config.get("INTAKE_ASSESSMENT_AREAS_DIR") or DEFAULT_DIR))


def configured() -> list[Area]:
    return current_app.extensions[_KEY]


def names(locale: str) -> dict[str, str]:
    """Each configured area's name in ``locale``, by code (an area no longer configured shows its code)."""
    return {area.code: area.name(locale) for area in configured()}
