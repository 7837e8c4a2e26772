"""Issue 13 "Done when": a new organisation takes Silta into service from an empty database, through the UI.

Silta is started as a process (``python -m portal``) on an empty SQLite database without the demo; the
first administrator is made with ``silta create-admin``. Then, in a real browser only: the administrator
creates a unit and two workers, whose invitations are read from the local email outbox (the one thing read
from the database: it stands for their mailboxes); they activate their accounts and set up two-step
verification. A worker registers a client with an identity code and starts a service in each of the five
programmes (001 through intake, 004 through a referral the other worker sends), names the contact person,
deputy and own team; the client activates their account with the code on the worker's letter, signs in and
sees their people; the worker hands a service over, the new worker ends it, and the end questionnaires
open for the client. axe checks the lifecycle pages.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pyotp
import pytest

from tests.browser.conftest import new_page
from tests.browser.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Pitkä ja hyvä salasana 2026"
ADMIN = "paakayttaja@kunta.example.fi"
WORKER, COLLEAGUE = "wilma.tyontekija@kunta.example.fi", "kalle.kollega@kunta.example.fi"
CLIENT_EMAIL = "liisa.asiakas@example.fi"
CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def identity_code(born: date, serial: int = 234) -> str:
    """A valid henkilötunnus (checksum mod 31; century sign A for the 2000s, - for the 1900s)."""
    sign = "A" if born.year >= 2000 else "-"
    digits = f"{born:%d%m%y}{serial:03d}"
    return f"{born:%d%m%y}{sign}{serial:03d}{CHECK[int(digits) % 31]}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def silta(tmp_path_factory):
    """Silta as a new organisation runs it: its own process, an empty database, no demo."""
    home = tmp_path_factory.mktemp("into-service")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORTAL_DATABASE_URL": f"sqlite:///{home / 'silta.sqlite3'}",
           "PORTAL_INSTANCE_PATH": str(home), "PORTAL_SEED_DEMO_ON_START": "false", "PORTAL_PORT": str(port),
           "PORTAL_RTC_BOTS": "0", "PORTAL_PUBLIC_BASE_URL": base, "PORTAL_RATELIMIT_ENABLED": "false"}
    log = open(home / "silta.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "portal"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base, process, home / "silta.log")
        yield {"base": base, "env": env, "db": home / "silta.sqlite3", "log": home / "silta.log"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_up(base: str, process, log: Path) -> None:
    for _ in range(600):  # migrating a fresh database takes a few seconds on a busy machine
        if process.poll() is not None:
            raise AssertionError(f"Silta stopped at start:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"Silta did not answer:\n{log.read_text()[-3000:]}")


def create_admin(silta) -> str:
    """``silta create-admin``: the first administrator; it prints a one-time activation link."""
    silta_command = Path(sys.executable).with_name("silta")
    done = subprocess.run([str(silta_command), "create-admin", ADMIN, "--name", "Pia Pääkäyttäjä"], cwd=ROOT,
                          env=silta["env"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    link = next((w for w in done.stdout.split() if "/activate/" in w), None)
    assert link, done.stdout
    return link


def outbox_link(silta, recipient: str, marker: str) -> str:
    """The newest link in a message to ``recipient`` in the local email outbox (their mailbox, here)."""
    with sqlite3.connect(silta["db"]) as connection:
        bodies = [row[0] for row in connection.execute(
            "SELECT body FROM outbox_messages WHERE recipient = ? ORDER BY id DESC", (recipient,))]
    for body in bodies:
        link = next((w.rstrip(".,)") for w in body.split() if marker in w), None)
        if link:
            return link
    raise AssertionError(f"no message with {marker} to {recipient} in the outbox")


# --- UI helpers --------------------------------------------------------------------------------------

def submit(page, field: str) -> None:
    """Submit the form that holds the field named ``field``."""
    with page.expect_navigation():
        page.locator(f"#main form:has([name='{field}']) button[type=submit]").first.click()


def ok(page) -> None:
    """The page is not an error and shows no form error."""
    assert page.locator(".hds-error-summary, .hds-text-input__error-text").count() == 0, \
        f"{page.url}: {page.locator('.hds-error-summary, .hds-text-input__error-text').all_inner_texts()}"


def set_password(page, link: str) -> None:
    page.goto(link)
    page.fill("#main [name=password]", PASSWORD)
    page.fill("#main [name=confirm]", PASSWORD)
    submit(page, "password")
    ok(page)


def pick(page, name: str, person: str) -> None:
    """Choose a person in a select (the option reads "name, job title")."""
    option = page.locator(f"#main [name={name}] option", has_text=person).first
    page.select_option(f"#main [name={name}]", option.get_attribute("value"))


def choose(page, name: str, value: str) -> None:
    """A radio button (its styled label lies over the input: click the label, as a person does)."""
    radio = page.locator(f"#main [name='{name}'][value='{value}']")
    page.locator(f"#main label[for='{radio.get_attribute('id')}']").click()
    assert radio.is_checked()


def sign_in(page, base: str, email: str, secret: str | None = None, at: float | None = None) -> None:
    page.goto(f"{base}/login")
    page.fill("#main [name=email]", email)
    page.fill("#main [name=password]", PASSWORD)
    submit(page, "password")
    if secret is not None and "/login/verify" in page.url:
        page.fill("#main [name=code]", pyotp.TOTP(secret).at(at or time.time()))
        submit(page, "code")
    assert "/login" not in page.url, page.inner_text("#main")[:800]


def set_up_two_step(page, base: str) -> str:
    """Two-step verification from the account page: the secret shown on the page, a code from it."""
    page.goto(f"{base}/account/two-step")
    secret = page.locator("#main code.totp-key").inner_text().replace(" ", "")
    page.fill("#main [name=code]", pyotp.TOTP(secret).now())
    submit(page, "code")
    ok(page)
    return secret


# --- the day-one story ---------------------------------------------------------------------------------

def test_a_new_organisation_takes_silta_into_service(silta, browser):
    base = silta["base"]
    admin = new_page(browser, locale="en-GB")
    try:
        set_password(admin, create_admin(silta))
        sign_in(admin, base, ADMIN)
        admin_sets_up_the_unit_and_workers(admin, base)
    finally:
        admin.context.close()
    wilma = worker_takes_the_account_into_use(browser, silta, WORKER)
    kalle = worker_takes_the_account_into_use(browser, silta, COLLEAGUE)
    try:
        client_id, letter_code = worker_registers_the_client(wilma, base)
        services_start_in_every_programme(wilma, kalle, base, client_id)
        client = client_activates_and_sees_their_people(browser, base, letter_code)
        try:
            handover_and_end(wilma, kalle, base, client_id)
            assert outbox_link(silta, CLIENT_EMAIL, "/me")  # "you have a new contact person" (no name in it)
            end_questionnaires_open(client, base)
        finally:
            client.context.close()
    finally:
        wilma.context.close()
        kalle.context.close()


def admin_sets_up_the_unit_and_workers(page, base: str) -> None:
    page.goto(f"{base}/admin/municipalities")
    page.fill("#main [name=code]", "398")
    page.fill("#main [name=name_fi]", "Lahti")
    page.fill("#main [name=name_sv]", "Lahtis")
    submit(page, "name_sv")
    ok(page)
    page.goto(f"{base}/admin/units/new")
    for name, value in (("code", "lahti-sote"), ("name_fi", "Lahden sosiaalityö"), ("name_sv", "Lahtis socialarbete"),
                        ("name_en", "Lahti social work"), ("county", "Päijät-Häme")):
        page.fill(f"#main [name={name}]", value)
    page.locator("#main [name=municipalities][value='398']").check()
    submit(page, "county")
    ok(page)
    # Wilma is the worker who runs the story; Kalle also refers from primary care (004 starts by referral).
    for name, email, title, roles in (("Wilma Työntekijä", WORKER, "social_worker", ("worker", "team_lead")),
                                      ("Kalle Kollega", COLLEAGUE, "social_counsellor", ("worker", "referrer"))):
        page.goto(f"{base}/admin/users/new")
        page.fill("#main [name=display_name]", name)
        page.fill("#main [name=email]", email)
        page.select_option("#main [name=job_title]", title)
        page.select_option("#main [name=locale]", "en")
        for role in roles:
            page.locator(f"#main [name=roles][value={role}]").check()
        page.locator("#main [name=units]").first.check()
        submit(page, "display_name")
        ok(page)


def worker_takes_the_account_into_use(browser, silta, email: str):
    """The invitation from the outbox, a password, two-step verification, and a sign-in that asks for it."""
    page = new_page(browser, locale="en-GB")
    set_password(page, outbox_link(silta, email, "/activate/"))
    if "/login" in page.url:
        sign_in(page, silta["base"], email)
    secret = set_up_two_step(page, silta["base"])
    page.context.clear_cookies()
    sign_in(page, silta["base"], email, secret, at=time.time() + 30)  # the next step: a code is used once
    return page


PROGRAMMES = ("Remote social guidance", "Centralised housing-service client guidance",
              "Intensive social rehabilitation", "Support for clients who need many services", "Health social work")
BORN = date(date.today().year - 25, 5, 14)


def worker_registers_the_client(page, base: str) -> tuple[int, str]:
    """Registered with an identity code; the activation code is printed on a letter the worker hands over."""
    page.goto(f"{base}/work/clients/new")
    for name, value in (("first_name", "Liisa"), ("last_name", "Lahtinen"), ("identity_code", identity_code(BORN)),
                        ("email", CLIENT_EMAIL), ("phone", "+358401234567")):
        page.fill(f"#main [name={name}]", value)
    page.select_option("#main [name=preferred_channel]", "email")
    submit(page, "identity_code")
    ok(page)
    client_id = int(page.url.rstrip("/").split("/")[-1])
    page.goto(f"{base}/work/clients/{client_id}/activation")
    choose(page, "channel", "letter")
    submit(page, "channel")
    ok(page)
    code = page.locator("#main .activation-code").inner_text().strip()
    assert code
    return client_id, code


def open_start_page(page, base: str, client_id: int, code: str, axe: bool = False) -> None:
    """From the client's page: "Start a service", then the programme."""
    page.goto(f"{base}/work/clients/{client_id}")
    with page.expect_navigation():
        page.locator(f"#main a[href$='/work/clients/{client_id}/services/new']").click()
    if axe:
        assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator(f"#main a[href$='/services/new/{code}']").click()


def start_service(page, base: str, client_id: int, code: str, role: str, deputy: str | None = None,
                  decision: tuple | None = None, axe: bool = False) -> None:
    open_start_page(page, base, client_id, code, axe)
    if axe:
        assert_no_axe_violations(page)
    pick(page, "coordinator_id", "Wilma Työntekijä")
    page.select_option("#main [name=coordinator_role]", role)
    if deputy:
        pick(page, "deputy_id", deputy)
    if decision:
        decided_on, valid_until, decider = decision
        page.fill("#main [name=decision_on]", decided_on.isoformat())
        page.fill("#main [name=decision_valid_until]", valid_until.isoformat())
        pick(page, "decided_by_id", decider)
    submit(page, "coordinator_id")
    ok(page)
    assert "/people" in page.url, page.url


def add_to_team(page, name: str, role: str) -> None:
    """On the service's people page."""
    pick(page, "user_id", name)
    page.select_option("#main [name=team_role]", role)
    submit(page, "team_role")
    ok(page)


def people_page_of(page, base: str, client_id: int, programme: str) -> None:
    page.goto(f"{base}/work/clients/{client_id}")
    with page.expect_navigation():
        page.locator("#main a", has_text=f"Contact person, deputy and own team: {programme}").click()


def services_start_in_every_programme(wilma, kalle, base: str, client_id: int) -> None:
    today = date.today()
    # 000 from the client's page: the named worker (omatyöntekijä), a deputy, an own team.
    start_service(wilma, base, client_id, "remote-guidance", "omatyontekija", deputy="Kalle Kollega")
    add_to_team(wilma, "Kalle Kollega", "social-counsellor")
    # 001 through intake: the contact registered there opens housing guidance for this client.
    wilma.goto(f"{base}/intake/new")
    wilma.select_option("#main [name=channel]", "phone")
    wilma.select_option("#main [name=municipality_code]", "398")
    for name, value in (("first_name", "Liisa"), ("last_name", "Lahtinen"), ("birth_year", str(BORN.year)),
                        ("description", "Tarvitsee tuettua asumista.")):
        wilma.fill(f"#main [name={name}]", value)
    submit(wilma, "description")
    ok(wilma)
    with wilma.expect_navigation():
        wilma.locator("#main form[action$='/register'] button[type=submit]").click()
    ok(wilma)
    people_page_of(wilma, base, client_id, "Centralised housing-service client guidance")
    pick(wilma, "deputy_id", "Kalle Kollega")
    submit(wilma, "deputy_id")
    ok(wilma)
    # 002: a 31-year-old would be refused (tests/programmes); this client is 25, on a decision Kalle made.
    start_service(wilma, base, client_id, "intensive-rehabilitation", "omatyontekija", axe=True,
                  decision=(today - timedelta(days=3), today + timedelta(days=120), "Kalle Kollega"))
    assert_no_axe_violations(wilma)
    add_to_team(wilma, "Kalle Kollega", "instructor")
    # A second active 002 is refused clearly.
    open_start_page(wilma, base, client_id, "intensive-rehabilitation")
    pick(wilma, "coordinator_id", "Wilma Työntekijä")
    submit(wilma, "coordinator_id")
    assert "already has an ongoing service" in wilma.inner_text("#main .hds-error-summary")
    assert_no_axe_violations(wilma)
    # 003: the hoitovastaava coordinates; the omatyöntekijä is in the own team.
    start_service(wilma, base, client_id, "many-services", "hoitovastaava")
    add_to_team(wilma, "Kalle Kollega", "omatyontekija")
    # 004 through a referral from primary care, which Wilma accepts for this client.
    kalle.goto(f"{base}/referrals/new")
    for name, value in (("first_name", "Liisa"), ("last_name", "Lahtinen"), ("birth_year", str(BORN.year)),
                        ("consent_on", today.isoformat()), ("situation", "Toimeentulo-ongelmia, tarvitsee neuvontaa.")):
        kalle.fill(f"#main [name={name}]", value)
    for name, value in (("pensioner", "no"), ("social_welfare_client", "no"), ("consent_by", "client"),
                        ("consent_how", "verbal")):
        choose(kalle, name, value)
    submit(kalle, "situation")
    ok(kalle)
    wilma.goto(f"{base}/referrals/inbox")
    with wilma.expect_navigation():
        wilma.locator("#main a[href^='/referrals/']", has_text="Handle").first.click()
    choose(wilma, "client", str(client_id))  # the registered client, matched by name and year of birth
    submit(wilma, "client")
    ok(wilma)
    people_page_of(wilma, base, client_id, "Health social work")
    pick(wilma, "deputy_id", "Kalle Kollega")
    submit(wilma, "deputy_id")
    ok(wilma)
    wilma.goto(f"{base}/work/clients/{client_id}")
    page = wilma.inner_text("#main")
    for programme in PROGRAMMES:
        assert programme in page, programme


def client_activates_and_sees_their_people(browser, base: str, code: str):
    page = new_page(browser, locale="en-GB")
    page.goto(f"{base}/activate")
    for name, value in (("code", code), ("birth_date", BORN.isoformat()), ("email", CLIENT_EMAIL),
                        ("password", PASSWORD), ("confirm", PASSWORD)):
        page.fill(f"#main [name={name}]", value)
    submit(page, "code")
    ok(page)
    assert page.url.endswith("/me"), page.url
    people = page.locator("#main section.card[aria-labelledby^='team-']")  # "Your people" of each service
    assert people.count() == 5  # the client's people in each of the five services
    mine = people.all_inner_texts()
    assert all("Wilma Työntekijä" in text for text in mine) and sum("Kalle Kollega" in t for t in mine) == 5
    assert "Omatyöntekijä" in mine[0] and "Hoitovastaava" in "".join(mine)  # the programmes' roles (003)
    return page


def service_link(page, base: str, client_id: int, text: str) -> None:
    page.goto(f"{base}/work/clients/{client_id}")
    with page.expect_navigation():
        page.locator("#main a", has_text=text).click()


def handover_and_end(wilma, kalle, base: str, client_id: int) -> None:
    """Wilma hands 002 over to Kalle with a note; Kalle, now its contact person, ends it."""
    service_link(wilma, base, client_id, "Hand over to another worker: Intensive social rehabilitation")
    assert_no_axe_violations(wilma)
    pick(wilma, "to_user_id", "Kalle Kollega")
    wilma.fill("#main [name=note]", "Liisa toivoo aamupäiväaikoja; päätös voimassa neljä kuukautta.")
    submit(wilma, "note")
    ok(wilma)
    service_link(kalle, base, client_id, "End the service: Intensive social rehabilitation")
    assert_no_axe_violations(kalle)
    kalle.select_option("#main [name=reason]", "goals-reached")
    submit(kalle, "reason")
    ok(kalle)
    page = kalle.inner_text("#main")
    assert "Goals reached" in page and "Hand over to another worker: Intensive" not in page
    # Ending twice is refused: the end page says so and offers no form.
    kalle.goto(kalle.url.split("#")[0])
    service = kalle.locator("#main section.card", has=kalle.locator("h2", has_text="Intensive social rehabilitation"))
    assert "End the service" not in service.inner_text()


def end_questionnaires_open(client, base: str) -> None:
    """The client sees their new person, and the 3X10D and the written feedback 'at the end' are open."""
    client.goto(f"{base}/me")
    home = client.inner_text("#main")
    ended = client.locator("#main section.card", has=client.locator("h3, h2", has_text="Sosiaalisen kuntoutuksen"))
    assert "Kalle Kollega" in ended.first.inner_text() and "Tavoitteet saavutettiin" in ended.first.inner_text()
    links = client.locator("#main a[href*='/me/measures/'][href$='/end']")
    assert links.count() == 2, home
    with client.expect_navigation():
        links.first.click()
    assert client.locator("#main form").count() == 1
    assert_no_axe_violations(client)
