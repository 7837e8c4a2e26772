"""Decision templates are the organisation's data: one folder per language, checked when the app starts.

Seed 001's county keeps shared decision templates in Finnish and Swedish. Silta ships a plain pair in
``portal/intake/decision_templates/<language>/decision.txt``; a county points ``INTAKE_DECISION_TEMPLATE_DIR``
at its own folder of the same shape. Each file is a Jinja template given ``client``, ``item``, ``meeting`` and
``assessment``; a missing language or a template that does not parse stops start-up with the file named.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from jinja2 import FileSystemLoader, TemplateSyntaxError

DEFAULT_DIR = Path(__file__).resolve().parent / "decision_templates"
LANGUAGES = ("fi", "sv")  # a decision is written in the client's language: Finnish or Swedish
FILE_NAME = "decision.txt"
_KEY = "silta.intake.decision_templates"


class DecisionTemplateError(RuntimeError):
    """A decision template is missing or broken; the message names every file and problem."""


def init_app(app: Flask) -> None:
    directory = Path(app.config.get("INTAKE_DECISION_TEMPLATE_DIR") or DEFAULT_DIR)
    # An overlay of the app's environment: the same filters (date, …), its own loader, no HTML escaping.
    env = app.jinja_env.overlay(loader=FileSystemLoader(str(directory)), autoescape=False)
    problems = []
    for language in LANGUAGES:
        path = directory / language / FILE_NAME
        if not path.is_file():
            problems.append(f"{path}: missing (a decision template is needed for every language: {LANGUAGES})")
            continue
        try:
            env.parse(path.read_text(encoding="utf-8"), name=str(path))
        except (TemplateSyntaxError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: {exc}")
    if problems:
        raise DecisionTemplateError("invalid decision templates:\n  " + "\n  ".join(problems))
    app.extensions[_KEY] = env


def render(language: str, **context) -> str:
    """The decision text in ``language`` (fi or sv) from the organisation's template."""
    return current_app.extensions[_KEY].get_template(f"{language}/{FILE_NAME}").render(**context)
