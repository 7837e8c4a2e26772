"""The Finnish, Swedish and English catalogs hold every string in the code, translated and not fuzzy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fi", "sv", "en")
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Every msgid in the code and templates right now (extracted afresh, not the committed .pot)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-o", str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def _catalog(language: str):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_every_string(extracted, language):
    catalog = _catalog(language)
    missing = sorted(extracted - {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id})
    assert not missing, f"{language}: run `pybabel update` and translate: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_translated_and_not_fuzzy(language):
    problems = []
    for message in _catalog(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ident = message.id if isinstance(message.id, str) else message.id[0]
        if not all(strings):
            problems.append(f"untranslated: {ident}")
        if message.fuzzy:
            problems.append(f"fuzzy: {ident}")
        if isinstance(message.id, str):
            if any(sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(ident)) for s in strings):
                problems.append(f"placeholders differ: {ident}")
        else:
            # A plural form may leave the count out ("Kirjaamaton tapaaminen"), never add an unknown value.
            known = set(PLACEHOLDER.findall(message.id[0])) | set(PLACEHOLDER.findall(message.id[1]))
            if any(not set(PLACEHOLDER.findall(s)) <= known for s in strings):
                problems.append(f"placeholders differ: {ident}")
    assert not problems, f"{language}: {problems[:10]}"


@pytest.mark.parametrize(("language", "phrase"), [("fi", "Kirjaudu"), ("sv", "Logga in"), ("en", "Sign in")])
def test_pages_speak_the_chosen_language(client, language, phrase):
    client.post("/language", data={"locale": language})
    body = client.get("/login").get_data(as_text=True)
    assert f'<html lang="{language}">' in body and phrase in body


def test_browser_language_is_used_before_a_choice(client):
    body = client.get("/login", headers={"Accept-Language": "sv-FI,sv;q=0.9"}).get_data(as_text=True)
    assert '<html lang="sv">' in body
