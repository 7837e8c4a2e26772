"""SMART on FHIR from the outside: a real HTTP server, requests, and JWTs signed by authlib's client code.

A backend service registers with its public keys, gets a token with a signed assertion and reads; a client's
app and a worker's app launch through the consent page and see only what each may see; a unit's bulk export
finishes and its NDJSON parses as the right resource types; wrong scopes, expired or revoked tokens and other
units' data are refused with OperationOutcome. One server and one small county for the whole module.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import threading
from datetime import date, time, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.oauth2.rfc7523.assertion import private_key_jwt_sign
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from portal.audit.models import AuditAction, AuditRecord
from portal.auth.models import AccountKind, Role, User, UserRole
from portal.db import utcnow
from portal.extensions import db as _db
from portal.notifications.jobs import run_jobs
from portal.people.models import Client, ClientLanguage, Gender, Municipality, OrgUnit, UnitMembership
from portal.programmes import registry
from portal.programmes.models import Enrolment
from portal.scheduling.timeutil import local
from portal.smart import operations
from portal.smart.models import AccessToken, ApiClient
from tests.appointments import make_appointment
from tests.conftest import PASSWORD, _hash, make_app
from tests.support.validators import fhir_schema  # noqa: F401 (every FHIR body of the module, HL7's R4 schema)

REDIRECT = "http://localhost/callback"


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="module")
def world(sqlite_template, tmp_path_factory, fhir_schema):  # noqa: F811
    """A served app with two units, a worker and a client in each, an appointment each, and three API clients."""
    folder = tmp_path_factory.mktemp("smart")
    shutil.copy(sqlite_template, folder / "silta.sqlite3")
    app = make_app(f"sqlite:///{folder / 'silta.sqlite3'}")
    app.instance_path = str(folder)
    rsa, ec = RSAKey.generate_key(2048), ECKey.generate_key("P-384")
    w = {"app": app, "rsa": rsa, "ec": ec, "schema_bodies": fhir_schema}
    with app.app_context():
        if _db.session.get(Municipality, "091") is None:
            _db.session.add(Municipality(code="091", name_fi="Helsinki", name_sv="Helsingfors"))
        units = [_unit(code) for code in ("unit-a", "unit-b")]
        for unit, tag in zip(units, "ab", strict=True):
            worker, client = _person(f"worker-{tag}", unit), _client(f"client-{tag}")
            _db.session.add(Enrolment(client=client, programme_code="remote-guidance", unit=unit,
                                      start_on=date(2026, 1, 5), coordinator=worker,
                                      phase=registry.definition("remote-guidance").first_phase))
            _db.session.flush()
            for day in range(1 if tag == "b" else 7):  # unit a's client has more than a page of five
                make_appointment(_db, local(date(2026, 7, 15 + day), time(10)), (worker,), (client,), minutes=45)
            w.update({f"unit_{tag}": unit.id, f"worker_{tag}": worker.email, f"client_{tag}": client.id,
                      f"client_{tag}_email": client.user.email})
        w["warehouse"] = operations.create_client("Warehouse", jwks={"keys": [rsa.as_dict(private=False)]},
                                                  unit_codes=("unit-a",)).client_id
        w["ec_service"] = operations.create_client("Record system", jwks={"keys": [ec.as_dict(private=False)]},
                                                   unit_codes=("unit-a",)).client_id
        w["app_id"] = operations.create_client("Health app", redirect_uris=(REDIRECT,)).client_id
        _db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    w["root"] = f"http://127.0.0.1:{server.server_port}"
    w["database"] = f"sqlite:///{folder / 'silta.sqlite3'}"
    w["base"] = w["root"] + "/fhir/r4"
    yield w
    server.shutdown()
    thread.join(5)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit(code=code, name_fi=code, name_sv=code, name_en=code, county="Uusimaa")
    _db.session.add(unit)
    _db.session.flush()
    return unit


def _person(name: str, unit: OrgUnit) -> User:
    user = User(kind=AccountKind.STAFF, email=f"{name}@example.test", display_name=name, password_hash=_hash(),
                locale="en", roles=[UserRole(role=Role.WORKER)])
    _db.session.add_all([user, UnitMembership(unit=unit, user=user)])
    return user


def _client(name: str) -> Client:
    user = User(kind=AccountKind.CLIENT, email=f"{name}@example.test", display_name=name, password_hash=_hash(),
                locale="en")
    row = Client(user=user, first_name="Asiakas", last_name=name, birth_year=1980, gender=Gender.FEMALE,
                 municipality_code="091", language=ClientLanguage.FI, phone="+358401234567")
    _db.session.add(row)
    _db.session.flush()
    return row


def system_token(w, scope="system/*.rs", client_id=None, key=None, alg="RS384", **claims) -> requests.Response:
    client_id = client_id or w["warehouse"]
    assertion = private_key_jwt_sign(key or w["rsa"], client_id, w["root"] + "/smart/token", alg=alg,
                                     expires_in=claims.pop("expires_in", 240), claims=claims or None)
    return requests.post(w["root"] + "/smart/token", data={
        "grant_type": "client_credentials", "scope": scope,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion}, timeout=10)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}


def refused(response: requests.Response, status: int) -> OperationOutcome:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    return OperationOutcome.model_validate_json(response.text)


# --- discovery and backend services -----------------------------------------------------------------

def test_smart_configuration_at_the_root_and_the_fhir_base(world):
    for url in (world["root"] + "/.well-known/smart-configuration", world["base"] + "/.well-known/smart-configuration"):
        config = requests.get(url, timeout=10).json()
        assert config["token_endpoint"] == world["root"] + "/smart/token"
        assert config["code_challenge_methods_supported"] == ["S256"]
        assert {"RS384", "ES384"} <= set(config["token_endpoint_auth_signing_alg_values_supported"])


def test_backend_service_reads_its_units_clients_only_and_every_read_names_it(world):
    issued = system_token(world)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["token_type"].lower() == "bearer" and body["expires_in"] == 300 and body["scope"] == "system/*.rs"
    headers = bearer(body["access_token"])
    own = requests.get(f"{world['base']}/Patient/{world['client_a']}", headers=headers, timeout=10)
    assert own.status_code == 200, own.text[:300]
    assert Patient.model_validate_json(own.text).id == str(world["client_a"])
    refused(requests.get(f"{world['base']}/Patient/{world['client_b']}", headers=headers, timeout=10), 403)
    with world["app"].app_context():
        row = _db.session.scalars(select(AuditRecord).where(AuditRecord.client_id == world["client_a"])
                                  .order_by(AuditRecord.id.desc())).first()
        assert row.actor_id is None and row.detail == {"application": "Warehouse"}


def test_a_backend_service_reads_the_capabilities_pages_with_count_and_follows_a_practitioner(world):
    capabilities = requests.get(world["base"] + "/metadata", headers={"Accept": "application/fhir+json"}, timeout=10)
    assert capabilities.status_code == 200, capabilities.text[:300]
    assert world["root"] + "/smart/token" in capabilities.text  # the SMART security extension points here
    # The facade's own tests check the CapabilityStatement (HL7's JSON schema knows fhirVersion 4.0.0, not 4.0.1).
    bodies = world["schema_bodies"]
    bodies[:] = [b for b in bodies if '"CapabilityStatement"' not in b]
    headers = bearer(system_token(world).json()["access_token"])
    url, appointments = f"{world['base']}/Appointment?patient=Patient/{world['client_a']}&_count=5", []
    while url:
        bundle = requests.get(url, headers=headers, timeout=10)
        assert bundle.status_code == 200, bundle.text[:300]
        entries = bundle.json().get("entry", [])
        assert len(entries) <= 5
        appointments += [Appointment.model_validate(e["resource"]) for e in entries]
        url = next((link["url"] for link in bundle.json()["link"] if link["relation"] == "next"), None)
    assert len(appointments) == 7 and len({a.id for a in appointments}) == 7
    staff = next(p.actor.reference for p in appointments[0].participant
                 if p.actor.reference.startswith("Practitioner/"))
    practitioner = requests.get(f"{world['base']}/{staff}", headers=headers, timeout=10)
    assert practitioner.status_code == 200 and practitioner.json()["resourceType"] == "Practitioner"


def test_smarts_own_fhirclient_reads_with_a_backend_services_token(world):
    """SMART's Python ``fhirclient`` discovers the token endpoint in the CapabilityStatement and reads with the
    token a signed assertion got (fhirclient itself has no private_key_jwt)."""
    from fhirclient import client as fhirclient
    from fhirclient.models.appointment import Appointment as ClientAppointment
    from fhirclient.models.patient import Patient as ClientPatient

    smart = fhirclient.FHIRClient(settings={"app_id": "warehouse", "api_base": world["base"] + "/"})
    smart.prepare()
    assert smart.server.auth is not None and not smart.ready  # SMART's endpoints found; no token yet
    smart.server.auth.access_token = system_token(world).json()["access_token"]
    assert smart.ready
    patient = ClientPatient.read(str(world["client_a"]), smart.server)
    assert patient.id == str(world["client_a"])
    search = ClientAppointment.where(struct={"patient": f"Patient/{world['client_a']}", "_count": "5"})
    assert len([a for page in search.perform_iter(smart.server) for a in page.entry or []]) == 7
    bodies = world["schema_bodies"]
    bodies[:] = [b for b in bodies if '"CapabilityStatement"' not in b]  # see the test above


def test_es384_assertions_work_and_an_assertion_is_used_once(world):
    assertion = private_key_jwt_sign(world["ec"], world["ec_service"], world["root"] + "/smart/token",
                                     alg="ES384", expires_in=120)
    form = {"grant_type": "client_credentials", "scope": "system/Patient.rs", "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    assert requests.post(world["root"] + "/smart/token", data=form, timeout=10).status_code == 200
    again = requests.post(world["root"] + "/smart/token", data=form, timeout=10)
    assert again.status_code in (400, 401) and again.json()["error"] == "invalid_client"


@pytest.mark.parametrize("problem", ["long-lived", "wrong-key", "rs256", "no-read-scope"])
def test_bad_assertions_and_scopes_get_no_token(world, problem):
    if problem == "long-lived":
        response = system_token(world, expires_in=3600)
    elif problem == "wrong-key":
        response = system_token(world, key=RSAKey.generate_key(2048))
    elif problem == "rs256":
        response = system_token(world, alg="RS256")
    else:
        response = system_token(world, scope="system/*.write")
    assert response.status_code in (400, 401), response.text
    assert response.json()["error"] in {"invalid_client", "invalid_scope"}


def test_wrong_scope_expired_and_revoked_tokens_are_refused_with_operation_outcome(world):
    token = system_token(world, scope="system/Patient.rs").json()["access_token"]
    url = f"{world['base']}/Appointment?patient=Patient/{world['client_a']}"
    refused(requests.get(url, headers=bearer(token), timeout=10), 403)
    assert requests.get(f"{world['base']}/Patient/{world['client_a']}", headers=bearer(token), timeout=10).ok
    with world["app"].app_context():
        row = _db.session.scalar(select(AccessToken).order_by(AccessToken.id.desc()))
        row.expires_at = utcnow() - timedelta(seconds=1)
        _db.session.commit()
    expired = refused(requests.get(f"{world['base']}/Patient/{world['client_a']}", headers=bearer(token),
                                   timeout=10), 401)
    assert expired.issue[0].code == "expired"
    fresh = system_token(world).json()["access_token"]
    revoke = requests.post(world["root"] + "/smart/revoke", timeout=10, data={
        "token": fresh, "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": private_key_jwt_sign(world["rsa"], world["warehouse"], world["root"] + "/smart/token",
                                                 alg="RS384", expires_in=120)})
    assert revoke.status_code == 200, revoke.text
    refused(requests.get(f"{world['base']}/Patient/{world['client_a']}", headers=bearer(fresh), timeout=10), 401)


def test_a_bearer_token_opens_only_the_fhir_api_not_the_portals_pages(world):
    token = system_token(world).json()["access_token"]
    page = requests.get(world["root"] + "/me/", headers=bearer(token), allow_redirects=False, timeout=10)
    assert page.status_code in (302, 404)
    refused(requests.get(f"{world['base']}/Patient/{world['client_a']}", headers=bearer("nonsense"), timeout=10), 401)


def test_an_administrator_registers_lists_and_revokes_a_service_from_the_command_line(world, tmp_path,
                                                                                        monkeypatch):
    from click.testing import CliRunner

    from portal.cli import main

    monkeypatch.setenv("PORTAL_DATABASE_URL", world["database"])
    monkeypatch.setenv("PORTAL_SEED_DEMO_ON_START", "false")
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps({"keys": [RSAKey.generate_key(2048).as_dict(private=False)]}))
    runner = CliRunner()
    made = runner.invoke(main, ["api-client", "create", "County warehouse", "--jwks-file", str(keys),
                                "--unit", "unit-a"])
    assert made.exit_code == 0, made.output
    private = runner.invoke(main, ["api-client", "create", "Leaky", "--jwks-file", str(keys.with_name("p.json"))])
    assert private.exit_code != 0
    keys.with_name("bad.json").write_text(json.dumps({"keys": [world["rsa"].as_dict(private=True)]}))
    leaky = runner.invoke(main, ["api-client", "create", "Leaky", "--jwks-file", str(keys.with_name("bad.json")),
                                 "--unit", "unit-a"])
    assert leaky.exit_code != 0 and "private key" in leaky.output
    listed = runner.invoke(main, ["api-client", "list"])
    assert "County warehouse\tsystem" in listed.output and "unit-a\tactive" in listed.output
    revoked = runner.invoke(main, ["api-client", "revoke", "Record system"])
    assert revoked.exit_code == 0, revoked.output
    refused_token = system_token(world, client_id=world["ec_service"], key=world["ec"], alg="ES384")
    assert refused_token.status_code in (400, 401) and refused_token.json()["error"] == "invalid_client"


# --- user-facing launch (authorization code + PKCE) -------------------------------------------------

def launch(world, email: str, scope: str, method: str = "S256", aud: str | None = None,
           allow: bool = True) -> requests.Response:
    browser = requests.Session()
    signed_in = browser.post(world["root"] + "/login", data={"email": email, "password": PASSWORD},
                             allow_redirects=False, timeout=10)
    assert signed_in.status_code == 302, signed_in.text[:300]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {"response_type": "code", "client_id": world["app_id"], "redirect_uri": REDIRECT, "scope": scope,
              "state": "s1", "aud": aud or world["base"], "code_challenge": challenge, "code_challenge_method": method}
    page = browser.get(world["root"] + "/smart/authorize", params=params, timeout=10)
    if page.status_code != 200:
        return page
    assert "Health app" in page.text
    answer = browser.post(page.url, data={"allow" if allow else "deny": "1"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    query = parse_qs(urlparse(answer.headers["Location"]).query)
    assert query["state"] == ["s1"]
    if not allow:
        return answer
    return requests.post(world["root"] + "/smart/token", timeout=10, data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT,
        "client_id": world["app_id"], "code_verifier": verifier})


def test_a_clients_own_app_gets_their_patient_context_and_sees_only_them(world):
    issued = launch(world, world["client_a_email"], "launch/patient patient/*.rs openid fhirUser")
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["patient"] == str(world["client_a"]) and body["expires_in"] == 3600
    assert body["scope"] == "launch/patient patient/*.rs"  # no user/ for a client; no id_token, so no openid
    headers = bearer(body["access_token"])
    assert requests.get(f"{world['base']}/Patient/{world['client_a']}", headers=headers, timeout=10).ok
    refused(requests.get(f"{world['base']}/Patient/{world['client_b']}", headers=headers, timeout=10), 403)


def test_a_workers_app_sees_what_the_worker_may_see(world):
    issued = launch(world, world["worker_a"], "user/Patient.rs user/Appointment.rs")
    assert issued.status_code == 200, issued.text
    headers = bearer(issued.json()["access_token"])
    search = requests.get(f"{world['base']}/Appointment?patient=Patient/{world['client_a']}", headers=headers,
                          timeout=10)
    assert search.status_code == 200, search.text[:300]
    assert search.json()["entry"]
    refused(requests.get(f"{world['base']}/Patient/{world['client_b']}", headers=headers, timeout=10), 403)
    with world["app"].app_context():
        row = _db.session.scalars(select(AuditRecord).where(AuditRecord.client_id == world["client_a"])
                                  .order_by(AuditRecord.id.desc())).first()
        assert row.actor.email == world["worker_a"] and row.detail == {"application": "Health app"}


def test_plain_pkce_and_another_servers_audience_are_refused(world):
    plain = launch(world, world["worker_a"], "user/*.rs", method="plain")
    assert plain.status_code == 400 and "incomplete" in plain.text
    other = launch(world, world["worker_a"], "user/*.rs", aud="https://elsewhere.example/fhir")
    assert other.status_code == 400 and "another server" in other.text
    denied = launch(world, world["worker_a"], "user/*.rs", allow=False)
    assert denied.headers["Location"].startswith(REDIRECT) and "error=access_denied" in denied.headers["Location"]


# --- bulk export ------------------------------------------------------------------------------------

def test_bulk_export_of_a_unit_finishes_as_ndjson_of_the_right_types(world):
    token = system_token(world).json()["access_token"]
    headers = {**bearer(token), "Prefer": "respond-async"}
    kick = requests.get(f"{world['base']}/Group/{world['unit_a']}/$export", headers=headers, timeout=10)
    assert kick.status_code == 202, kick.text
    status_url = kick.headers["Content-Location"]
    waiting = requests.get(status_url, headers=bearer(token), timeout=10)
    assert waiting.status_code == 202 and waiting.headers["X-Progress"]
    run_jobs(world["app"])  # the job runner's run (silta worker, or python -m portal's thread) starts it
    with world["app"].app_context():
        exported = _db.session.scalars(select(AuditRecord).where(AuditRecord.action == AuditAction.EXPORT)).all()
        assert {(r.client_id, r.detail["application"]) for r in exported} == {(world["client_a"], "Warehouse")}
    done = requests.get(status_url, headers=bearer(token), timeout=10)
    assert done.status_code == 200, done.text
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True
    models = {"Patient": Patient, "Appointment": Appointment}
    seen = {}
    for item in manifest["output"]:
        assert requests.get(item["url"], timeout=10).status_code == 401  # the files need the token too
        lines = requests.get(item["url"], headers=bearer(token), timeout=10).text.splitlines()
        assert len(lines) == item["count"]
        for line in lines:
            assert json.loads(line)["resourceType"] == item["type"]
            if item["type"] in models:
                models[item["type"]].model_validate_json(line)
        seen[item["type"]] = lines
    assert [json.loads(line)["id"] for line in seen["Patient"]] == [str(world["client_a"])]
    assert len(seen["Appointment"]) == 7
    world["schema_bodies"].extend(line for lines in seen.values() for line in lines)  # HL7's schema at the end
    files = Path(world["app"].instance_path) / "bulk" / status_url.rsplit("/", 1)[1]
    assert sorted(p.name for p in files.iterdir()) == sorted(f"{t}.ndjson" for t in seen)
    assert requests.delete(status_url, headers=bearer(token), timeout=10).status_code == 202
    assert not files.exists()
    refused(requests.get(status_url, headers=bearer(token), timeout=10), 404)


def test_bulk_export_refuses_other_units_user_tokens_and_synchronous_requests(world):
    token = system_token(world).json()["access_token"]
    headers = {**bearer(token), "Prefer": "respond-async"}
    refused(requests.get(f"{world['base']}/Group/{world['unit_b']}/$export", headers=headers, timeout=10), 403)
    refused(requests.get(f"{world['base']}/$export", headers=bearer(token), timeout=10), 400)
    refused(requests.get(f"{world['base']}/$export?_type=Observation", headers=headers, timeout=10), 400)
    user = launch(world, world["worker_a"], "user/*.rs").json()["access_token"]
    refused(requests.get(f"{world['base']}/$export", headers={**bearer(user), "Prefer": "respond-async"},
                         timeout=10), 403)


def test_a_narrower_scope_exports_only_its_types(world):
    token = system_token(world, scope="system/Patient.rs").json()["access_token"]
    headers = {**bearer(token), "Prefer": "respond-async"}
    refused(requests.get(f"{world['base']}/$export?_type=Appointment", headers=headers, timeout=10), 403)
    kick = requests.get(f"{world['base']}/$export", headers=headers, timeout=10)
    assert kick.status_code == 202, kick.text
    run_jobs(world["app"])
    manifest = requests.get(kick.headers["Content-Location"], headers=bearer(token), timeout=10).json()
    assert [item["type"] for item in manifest["output"]] == ["Patient"]
    download = requests.get(manifest["output"][0]["url"], headers=bearer(token), timeout=10)
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("application/fhir+ndjson")


def test_the_job_runner_deletes_tokens_a_day_past_their_end(world):
    system_token(world)
    with world["app"].app_context():
        old = _db.session.scalar(select(AccessToken).order_by(AccessToken.id.desc()))
        old_id, old.expires_at = old.id, utcnow() - timedelta(days=2)
        _db.session.commit()
    fresh = system_token(world).json()["access_token"]
    run_jobs(world["app"])
    with world["app"].app_context():
        assert _db.session.get(AccessToken, old_id) is None
    assert requests.get(f"{world['base']}/Patient/{world['client_a']}", headers=bearer(fresh), timeout=10).ok


def test_a_service_registered_by_jwks_url_gets_its_keys_fetched_again_when_stale(world, monkeypatch):
    from portal.smart import keys

    rotated = [RSAKey.generate_key(2048)]
    fetched = []

    def fake_fetch(url):
        fetched.append(url)
        return {"keys": [rotated[-1].as_dict(private=False)]}

    monkeypatch.setattr(keys, "fetch", fake_fetch)
    with world["app"].app_context():
        client_id = operations.create_client("Rotating service", jwks_url="https://dw.example.fi/jwks.json",
                                             unit_codes=("unit-a",)).client_id
        _db.session.commit()
    assert system_token(world, client_id=client_id, key=rotated[0]).status_code == 200
    rotated.append(RSAKey.generate_key(2048))  # the service rotates its key; Silta's copy is stale after a while
    with world["app"].app_context():
        row = _db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
        row.jwks_fetched_at = utcnow() - timedelta(hours=1)
        _db.session.commit()
    assert system_token(world, client_id=client_id, key=rotated[1]).status_code == 200
    assert fetched == ["https://dw.example.fi/jwks.json"] * 2
    # A new key id in the assertion's header fetches the set again at once (at most once a minute), not after
    # the cache's ten minutes.
    rotated.append(RSAKey.generate_key(2048, parameters={"kid": "2027-01"}))
    with world["app"].app_context():
        row = _db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
        row.jwks_fetched_at = utcnow() - timedelta(minutes=2)
        _db.session.commit()
    assertion = private_key_jwt_sign(rotated[2], client_id, world["root"] + "/smart/token", alg="RS384",
                                     expires_in=120, header={"alg": "RS384", "kid": "2027-01"})
    issued = requests.post(world["root"] + "/smart/token", timeout=10, data={
        "grant_type": "client_credentials", "scope": "system/*.rs", "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
    assert issued.status_code == 200, issued.text
    assert len(fetched) == 3
