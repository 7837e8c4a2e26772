"""Compartment search: ``GET Patient/<id>/<type>`` is the search ``<type>?patient=<id>`` (FHIR R4 §3.1.1.5)."""

from __future__ import annotations

from flask import abort

from portal.interop import bp, careplans, questionnaires, routes

# The types in the Patient compartment this server searches, and their search (which takes the patient).
SEARCHES = {
    "Appointment": routes.appointments_of,
    "QuestionnaireResponse": questionnaires.responses_of,
    "CarePlan": careplans.care_plans_of,
    "CareTeam": careplans.care_teams_of,
}


@bp.route("/Patient/<patient_id>/<resource_type>")
def patient_compartment(patient_id: str, resource_type: str):
    search = SEARCHES.get(resource_type)
    if search is None:
        abort(404)
    return search(patient_id)
