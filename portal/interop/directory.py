"""FHIR R4 Practitioner, PractitionerRole and Organization: the staff and units other resources refer to.

- ``Practitioner/<id>`` (a staff account's id, as in ``Appointment.participant`` and ``CareTeam``): the
  name as the portal shows it (``name.text``: Silta keeps one display name, not its parts) and whether the
  account is active. No email, phone or login details. Staff read every colleague; a client the staff in
  their own appointments, care teams, answers and plans (``Reader.may_read_staff``). Clients' accounts
  are not Practitioners (404).
- ``PractitionerRole/<staff id>-<unit id>``: one per unit the staff member works in, with the job title
  (``code``); searched by ``practitioner``.
- ``Organization/<id>``: a unit, its name in the reader's language, its parent unit (``partOf``) and the
  phone clients reach it on. Any signed-in reader.

Practitioner, PractitionerRole and Organization declare HL7 Finland's FI Base profiles. Nothing here is a
client's data, so these reads are not audited.
"""

from __future__ import annotations

from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from flask import abort, url_for
from flask_babel import get_locale

from portal.auth.models import User
from portal.extensions import db
from portal.interop import bp, fhir, queries
from portal.interop.permissions import current_reader
from portal.interop.routes import bundle_response, get_row, read_response
from portal.interop.search import NotSupported, Search, reference_id
from portal.people.models import OrgUnit
from portal.web.templating import label

PRACTITIONER_ROLE_SEARCH = {"practitioner": "reference"}


@bp.route("/Practitioner/<resource_id>")
def practitioner(resource_id: str):
    reader = current_reader()
    user = get_row(User, resource_id)
    if not user.is_staff:
        abort(404)
    if not reader.may_read_staff(user.id):
        abort(403)
    return read_response(practitioner_resource(user))


@bp.route("/PractitionerRole/<resource_id>")
def practitioner_role(resource_id: str):
    reader = current_reader()
    staff_id, _, unit_id = resource_id.partition("-")
    user = get_row(User, staff_id)
    membership = queries.membership(user.id, int(unit_id)) if unit_id.isdigit() and len(unit_id) < 19 else None
    if membership is None or not user.is_staff:
        abort(404)
    if not reader.may_read_staff(user.id):
        abort(403)
    return read_response(practitioner_role_resource(user, membership.unit))


@bp.route("/PractitionerRole")
def practitioner_role_search():
    reader, search = current_reader(), Search(PRACTITIONER_ROLE_SEARCH)
    staff_id = reference_id(search.one("practitioner"), "Practitioner")
    if staff_id is None:
        raise NotSupported("Search by practitioner=Practitioner/<id>.")
    user = get_row(User, staff_id)
    if not user.is_staff:
        abort(404)
    if not reader.may_read_staff(user.id):
        abort(403)
    units = queries.units_of(user.id)
    entries = [(url_for("interop.practitioner_role", resource_id=f"{user.id}-{unit.id}", _external=True),
                practitioner_role_resource(user, unit)) for unit in search.page(units)]
    return bundle_response(search.bundle(len(units), entries))


@bp.route("/Organization/<resource_id>")
def organization(resource_id: str):
    reader = current_reader()
    unit = get_row(OrgUnit, resource_id)
    if not reader.may_read_unit(unit.id):
        abort(403)
    return read_response(organization_resource(unit))


def practitioner_resource(user: User) -> Practitioner:
    resource = Practitioner(
        id=str(user.id), active=user.active,
        identifier=[{"system": f"{fhir.canonical_base()}/sid/staff", "value": str(user.id)}],
        name=[{"text": user.display_name}],
    )
    resource.meta = fhir.meta("Practitioner", fhir.content_version(resource), None)
    return resource


def practitioner_role_resource(user: User, unit: OrgUnit) -> PractitionerRole:
    resource = {"id": f"{user.id}-{unit.id}", "active": user.active,
                "practitioner": {"reference": f"Practitioner/{user.id}", "display": user.display_name},
                "organization": {"reference": f"Organization/{unit.id}", "display": unit.name(str(get_locale()))}}
    if user.job_title is not None:
        resource["code"] = [fhir._concept({"system": fhir.system("job-title"), "code": user.job_title.value,
                                           "display": label(user.job_title)})]
    role = PractitionerRole(**resource)
    role.meta = fhir.meta("PractitionerRole", fhir.content_version(role), None)
    return role


def organization_resource(unit: OrgUnit) -> Organization:
    resource = {"id": str(unit.id), "active": True, "name": unit.name(str(get_locale())),
                "alias": sorted({unit.name_fi, unit.name_sv, unit.name_en} - {unit.name(str(get_locale()))}) or None,
                "identifier": [{"system": f"{fhir.canonical_base()}/sid/unit", "value": unit.code}]}
    if unit.parent_id is not None:
        parent = db.session.get(OrgUnit, unit.parent_id)
        resource["partOf"] = {"reference": f"Organization/{unit.parent_id}", "display": parent.name(str(get_locale()))}
    if unit.phone:
        resource["telecom"] = [{"system": "phone", "value": unit.phone, "use": "work"}]
    organization = Organization(**resource)
    organization.meta = fhir.meta("Organization", fhir.content_version(organization), None)
    return organization
