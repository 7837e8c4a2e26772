"""FHIR R4 resources built from Silta's records, with the ``fhir.resources.R4B`` models.

R4B is wire-compatible with R4 for the resources used here (fhir.resources 8 defaults to R5, hence the
explicit ``R4B`` imports). Resources carry only what the reader could see in the portal, and less:

- Appointment: status, programme (serviceCategory), contact type (serviceType), way of meeting
  (appointmentType), start/end in UTC, the staff taking part (Practitioner, with display name) and the
  clients taking part *that the reader may read* (Patient). No place (it may be a home address), no
  notes, no cancellation reason, no guests.
- Patient: name, gender, birth year (``birthDate`` "1980": year precision is valid FHIR), language of
  service (fi/sv; "other" says nothing useful and is left out) and home municipality through HL7
  Finland's municipality-code extension. No phone, email, street address or diagnosis group.

Silta's own code systems live under ``FHIR_CANONICAL_BASE`` (config; default
``https://silta.example/fhir``):

- ``{base}/CodeSystem/programme`` — programme codes, e.g. ``remote-guidance``;
- ``{base}/CodeSystem/contact-type`` — ``<programme>:<contact type>``, e.g.
  ``remote-guidance:guidance-meeting`` (contact-type codes are only unique within a programme);
- ``{base}/CodeSystem/modality`` — ``video``, ``phone``, ``home_visit``, ``reception``, ``email``,
  ``text_message``; each also coded with HL7 v3 ActCode (VR virtual, HH home health, AMB ambulatory);
- ``{base}/sid/client`` — the identifier system for Silta client numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from flask import Response, current_app
from flask_babel import get_locale

from portal.meetings.labels import LABELS
from portal.people.models import Client, ClientLanguage
from portal.programmes.definitions_schema import Modality
from portal.scheduling.models import Appointment, AppointmentStatus, Participant, ParticipantRole
from portal.web.templating import programme_name, programme_names

DEFAULT_CANONICAL_BASE = "https://silta.example/fhir"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
BCP_47 = "urn:ietf:bcp:47"
MUNICIPALITY_EXTENSION = "https://hl7.fi/fhir/finnish-base-profiles/StructureDefinition/municipality-code"
MUNICIPALITY_SYSTEM = "urn:oid:1.2.246.537.6.21.2003"  # Statistics Finland's municipality codes
# HL7 Finland's FI Base profiles (STU 1, https://hl7.fi/fhir/finnish-base-profiles/), declared in meta.profile.
FI_BASE = "https://hl7.fi/fhir/finnish-base-profiles/StructureDefinition"
PROFILES = {"Patient": f"{FI_BASE}/fi-base-patient", "Practitioner": f"{FI_BASE}/fi-base-practitioner",
            "PractitionerRole": f"{FI_BASE}/fi-base-practitioner-role",
            "Organization": f"{FI_BASE}/fi-base-organization", "Appointment": f"{FI_BASE}/fi-base-appointment"}

APPOINTMENT_STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.CONFIRMED: "booked",  # the client's confirmation shows as participant status
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.HELD: "fulfilled",
    AppointmentStatus.NO_SHOW: "noshow",
}
# The client has said yes (or came); otherwise their answer is not known. A cancellation is carried by
# Appointment.status, not guessed onto the participant.
PATIENT_ACCEPTED = {AppointmentStatus.CONFIRMED, AppointmentStatus.HELD}
ACT_CODES = {
    Modality.VIDEO: ("VR", "virtual"), Modality.PHONE: ("VR", "virtual"), Modality.EMAIL: ("VR", "virtual"),
    Modality.TEXT_MESSAGE: ("VR", "virtual"), Modality.HOME_VISIT: ("HH", "home health"),
    Modality.RECEPTION: ("AMB", "ambulatory"),
}
STAFF_TYPE = {
    ParticipantRole.HOST: ("PPRF", "primary performer"),
    ParticipantRole.WORKER: ("SPRF", "secondary performer"),
}
LANGUAGES = {ClientLanguage.FI: ("fi", "suomi"), ClientLanguage.SV: ("sv", "svenska")}


def meta(resource_type: str, version: object, last_updated: datetime | None) -> dict:
    """``meta`` with the version, the last change and the FI Base profile where there is one."""
    entry: dict = {"versionId": str(version)}
    if last_updated is not None:
        entry["lastUpdated"] = last_updated
    if resource_type in PROFILES:
        entry["profile"] = [PROFILES[resource_type]]
    return entry


def content_version(resource) -> str:
    """A version id for a resource put together from several records that keep no version of their own: a
    digest of its content, so it changes exactly when what a reader sees changes."""
    return hashlib.sha256(resource.model_dump_json(exclude_none=True).encode()).hexdigest()[:16]


def canonical_base() -> str:
    return current_app.config.get("FHIR_CANONICAL_BASE", DEFAULT_CANONICAL_BASE).rstrip("/")


def system(name: str) -> str:
    return f"{canonical_base()}/CodeSystem/{name}"


def _concept(*codings: dict) -> CodeableConcept:
    return CodeableConcept(coding=list(codings), text=codings[0].get("display"))


def appointment(row: Appointment, readable_client_ids: Collection[int]) -> FhirAppointment:
    """An Appointment, naming as patients only the clients the reader may read."""
    code, display = ACT_CODES[row.modality]
    participants = [_participant(p, row) for p in sorted(row.participants, key=lambda p: p.id)
                    if p.user_id is not None or p.client_id in readable_client_ids]
    return FhirAppointment(
        id=str(row.id),
        status=APPOINTMENT_STATUS[row.status],
        serviceCategory=[_concept({"system": system("programme"), "code": row.programme_code,
                                   "display": programme_name(row.programme_code)})],
        serviceType=[_concept({"system": system("contact-type"), "code": f"{row.programme_code}:{row.contact_type}",
                               "display": programme_names(row.programme_code, "contact_types", row.contact_type)})],
        appointmentType=_concept({"system": system("modality"), "code": row.modality.value,
                                  "display": str(LABELS[row.modality])},
                                 {"system": ACT_CODE, "code": code, "display": display}),
        start=row.starts_at, end=row.ends_at,
        minutesDuration=int((row.ends_at - row.starts_at).total_seconds() // 60),
        created=row.created_at,
        participant=participants,
        meta=meta("Appointment", row.version, row.updated_at),
    )


def _participant(p: Participant, row: Appointment) -> dict:
    if p.user_id is not None:
        code, display = STAFF_TYPE.get(p.role, STAFF_TYPE[ParticipantRole.WORKER])
        return {"actor": {"reference": f"Practitioner/{p.user_id}", "display": p.user.display_name},
                "type": [{"coding": [{"system": PARTICIPATION_TYPE, "code": code, "display": display}]}],
                "required": "required", "status": "accepted"}
    status = "accepted" if row.status in PATIENT_ACCEPTED else "needs-action"
    return {"actor": {"reference": f"Patient/{p.client_id}"}, "required": "required", "status": status}


def patient(client: Client) -> Patient:
    resource = {
        "id": str(client.id),
        "meta": meta("Patient", client.version, client.updated_at),
        "identifier": [{"system": f"{canonical_base()}/sid/client", "value": str(client.id)}],
        "name": [{"family": client.last_name, "given": [client.first_name], "text": client.full_name}],
        "gender": client.gender.value,  # Silta's genders are FHIR's administrative-gender codes
        "birthDate": f"{client.birth_year:04d}",
        "extension": [{"url": MUNICIPALITY_EXTENSION, "valueCoding": {
            "system": MUNICIPALITY_SYSTEM, "code": client.municipality_code,
            "display": client.municipality.name(str(get_locale()))}}],
    }
    if client.language in LANGUAGES:
        code, display = LANGUAGES[client.language]
        resource["communication"] = [{"language": {"coding": [{"system": BCP_47, "code": code, "display": display}],
                                                   "text": display}, "preferred": True}]
    return Patient(**resource)


FHIR_JSON = "application/fhir+json; fhirVersion=4.0"
# OperationOutcome issue codes for the HTTP errors the API gives.
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               406: "not-supported", 410: "deleted", 413: "too-costly", 429: "throttled"}


def outcome(status: int, diagnostics: str, code: str | None = None) -> OperationOutcome:
    return OperationOutcome(issue=[{"severity": "error", "code": code or ISSUE_CODES.get(status, "exception"),
                                    "diagnostics": diagnostics}])


def json_response(resource, status: int = 200, headers: dict | None = None) -> Response:
    """A resource (or Bundle) as application/fhir+json."""
    return Response(resource.model_dump_json(exclude_none=True), status=status, content_type=FHIR_JSON,
                    headers=headers)


def outcome_response(status: int, diagnostics: str, code: str | None = None,
                     headers: dict | None = None) -> Response:
    """An error as an OperationOutcome response: every error under /fhir/ looks like this (401 with
    ``headers={"WWW-Authenticate": ...}`` for a bearer-token refusal)."""
    return json_response(outcome(status, diagnostics, code), status, headers)
