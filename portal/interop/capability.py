"""The CapabilityStatement at ``/fhir/r4/metadata``, generated from what is implemented.

Resource types and interactions come from the routes registered on the blueprint (``/<Type>/<id>`` is
``read``, ``/<Type>`` is ``search-type``); search parameters from the same declarations the searches
check their parameters against; compartments from compartment.py. The SMART security extension points
at SMART's endpoints when portal/smart is installed (their URLs from the app's own routes). Public, like
every FHIR server's metadata.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from flask import current_app, url_for
from werkzeug.routing import BuildError

from portal.interop import bp, careplans, compartment, directory, fhir, questionnaires, routes, search

SEARCHES = {"Appointment": routes.APPOINTMENT_SEARCH, "Questionnaire": questionnaires.QUESTIONNAIRE_SEARCH,
            "QuestionnaireResponse": questionnaires.RESPONSE_SEARCH, "CarePlan": careplans.CARE_PLAN_SEARCH,
            "CareTeam": careplans.CARE_TEAM_SEARCH, "PractitionerRole": directory.PRACTITIONER_ROLE_SEARCH}
RULE = re.compile(r"^/fhir/r4/([A-Z][A-Za-z]+)(/<resource_id>)?$")
SMART_SERVICE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                             "code": "SMART-on-FHIR", "display": "SMART-on-FHIR"}],
                 "text": "OAuth2 using SMART-on-FHIR profile (see /.well-known/smart-configuration)"}
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
SMART_ENDPOINTS = {"authorize": "smart.authorize", "token": "smart.token", "revoke": "smart.revoke"}
SOFTWARE_DATE = datetime(2026, 12, 6, tzinfo=UTC)


@bp.route("/metadata")
def metadata():
    return routes.read_response(capability_statement())


def implemented() -> dict[str, set[str]]:
    """Resource type → interactions, from the blueprint's routes."""
    types: dict[str, set[str]] = {}
    for rule in current_app.url_map.iter_rules():
        match = RULE.match(rule.rule) if rule.endpoint.startswith(f"{bp.name}.") else None
        if match:
            types.setdefault(match.group(1), set()).add("read" if match.group(2) else "search-type")
    return types


def capability_statement() -> CapabilityStatement:
    resources = [_resource(name, interactions) for name, interactions in sorted(implemented().items())]
    rest = {"mode": "server", "resource": resources,
            "documentation": f"Read-only. Paging with _count (at most {search.MAX_COUNT}) and _offset."}
    security = _security()
    if security:
        rest["security"] = security
    return CapabilityStatement(
        status="active", date=SOFTWARE_DATE, kind="instance", fhirVersion="4.0.1", format=["json"],
        publisher="Silta", name="SiltaFhirApi", title="Silta FHIR R4 API",
        software={"name": "Silta"},
        implementation={"description": "Silta", "url": url_for("interop.metadata", _external=True).removesuffix(
            "/metadata")},
        rest=[rest],
    )


def _resource(name: str, interactions: set[str]) -> dict:
    entry: dict = {"type": name, "interaction": [{"code": code} for code in sorted(interactions)],
                   "versioning": "versioned", "readHistory": False, "updateCreate": False,
                   "conditionalRead": "not-match"}
    if name in fhir.PROFILES:
        entry["profile"] = fhir.PROFILES[name]
    if "search-type" in interactions:
        entry["searchParam"] = [{"name": param, "type": kind} for param, kind in sorted(SEARCHES[name].items())]
    if name == "Patient":
        types = ", ".join(sorted(compartment.SEARCHES))
        entry["documentation"] = f"Compartment search: Patient/<id>/<type> for {types}."
    return entry


def _security() -> dict | None:
    uris = []
    for relation, endpoint in SMART_ENDPOINTS.items():
        try:
            uris.append({"url": relation, "valueUri": url_for(endpoint, _external=True)})
        except BuildError:
            continue
    if not uris:
        return None
    return {"cors": False, "service": [SMART_SERVICE],
            "extension": [{"url": OAUTH_URIS, "extension": uris}]}
