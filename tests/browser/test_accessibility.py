"""Every page, for every demo login and anonymously, in a real browser: axe (WCAG 2.1 A and AA),
reflow at 320 px and at 200 % zoom, the three languages, and the keyboard.

The pages come from the access matrix (``tests/web/test_access_matrix.py``): each role visits every
GET page it is allowed, with real ids from the demo county, plus the error pages and forms showing
validation errors. ``test_every_page_of_the_matrix_is_visited`` fails when a route is added to the
matrix without a visit here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from portal.demo.seed import DEMO_LOGINS
from tests.browser.conftest import DESKTOP, SERVED_APPS, new_page, signed_in_page
from tests.web.test_access_matrix import ACCESS, PUBLIC

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
NARROW = {"width": 320, "height": 640}
LANGUAGES = ("fi", "sv", "en")

# Who is who in the demo county (README "Demo logins"); test_demo_logins_have_these_roles checks it.
WHO: dict[str, tuple[str | None, frozenset[str]]] = {
    "anonymous": (None, frozenset()),
    "admin": ("admin@silta.example", frozenset({"admin"})),
    "coordinator": ("sanna.virtanen@silta.example", frozenset({"worker", "care_coordinator"})),
    "team-lead": ("mikael.lindqvist@silta.example", frozenset({"worker", "team_lead"})),
    "service-manager": ("marja.aaltonen@silta.example", frozenset({"service_manager"})),
    "worker": ("anna.korhonen@silta.example", frozenset({"worker"})),
    "queue": ("jonna.laine@silta.example", frozenset({"queue_coordinator"})),
    "housing-unit": ("asumispalvelu@silta.example", frozenset({"housing_unit"})),
    "referrer": ("hoitaja.terveysasema@silta.example", frozenset({"referrer"})),
    "client-aino": ("asiakas.aino@silta.example", frozenset({"client"})),
    "client-elsa": ("klient.elsa@silta.example", frozenset({"client"})),
    "client-juho": ("client.juho@silta.example", frozenset({"client"})),
}

# GET endpoints of the matrix that are not pages a person reads.
NOT_PAGES = {
    "static": "stylesheets, not a page",
    "ops.healthz": "JSON for load balancers",
    "ops.readyz": "JSON for monitoring",
    "ops.metrics_page": "Prometheus text for monitoring",
    "core.index": "only redirects to the role's home page, which is visited itself",
    "auth.oidc_start": "redirects to an identity provider (an unknown one gives the 404 page, visited)",
    "auth.oidc_callback": "the identity provider's return address, not a page",
    "appointments.download": "an iCalendar file for the calendar app",
    "appointments.feed": "an iCalendar feed for the calendar app",
    "video.ice_servers": "STUN/TURN JSON for the call page's script",
    "interop.patient": "FHIR JSON for other systems",
    **{f"interop.{name}": "FHIR JSON for other systems" for name in (
        "metadata", "organization", "unknown", "practitioner", "practitioner_role", "practitioner_role_search",
        "patient_compartment")},
    "interop.appointment": "FHIR JSON for other systems",
    "interop.appointment_search": "FHIR JSON for other systems",
    "measures.export": "a CSV file for reporting",
    "interop.questionnaire_read": "FHIR JSON for other systems",
    "interop.questionnaire_search": "FHIR JSON for other systems",
    "interop.questionnaire_response": "FHIR JSON for other systems",
    "interop.questionnaire_response_search": "FHIR JSON for other systems",
    "plans.static": "the plan pages' stylesheet and print script",
    "interop.care_plan": "FHIR JSON for other systems",
    "interop.care_plan_search": "FHIR JSON for other systems",
    "interop.care_team": "FHIR JSON for other systems",
    "interop.care_team_search": "FHIR JSON for other systems",
    "smart.configuration": "SMART on FHIR's discovery JSON for other systems",
    "bulk.export": "FHIR Bulk Data for backend services (tokens only)",
    "bulk.status": "FHIR Bulk Data for backend services (tokens only)",
    "bulk.file": "FHIR Bulk Data's NDJSON files for backend services (tokens only)",
    "messages.after": "new messages as list items for the open thread page's script (its markup is the thread's)",
    "messages.attachment": "a message's attached file, always a download",
    # plans and messages: the staff photo and the navigation's unread counter
    "plans.staff_photo": "a staff member's photo (a JPEG), shown on the care-team card and the account page",
    "plans.upload_photo": "GET only redirects to the account page's photo section, which is visited itself",
    "messages.unread": "JSON for the navigation's unread counter",
    "reports.csv": "a CSV file for spreadsheets (the same numbers as the report page, which is visited)",
    "intake.static": "the intake pages' stylesheet and the printed decision's print script",
    "referrals.log_contact": "needs a health social worker named on a client; no README login works in health "
                             "social work (tests/referrals/test_routes.py renders it; same form macros as the referral "
                             "form, which is visited)",
    "tasks.task_list": "the task list alone, fetched again by the My day page's live script (visited in that page)",
    "tasks.move": "needs a client's request, which the demo has not: axe checks it in tests/browser/test_tasks.py",
}


# ---------------------------------------------------------------------------------------------
# Visits: each opens one page state as someone with ``roles`` and returns the final HTTP status.


def _goto(path: str) -> Callable:
    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        return page.goto(base + path).status

    return visit


def _submit(page) -> int:
    with page.expect_navigation() as navigation:
        page.click("#main form button[type=submit]")
    return navigation.value.status


def _login_failed(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    page.goto(base + "/login")
    page.fill("#email", "nobody@silta.example")
    page.fill("#password", "not the password")
    status = _submit(page)
    assert page.locator("#main [role=alert]").count(), "the failed sign-in shows no error"
    return status


def _login_empty(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    page.goto(base + "/login")
    status = _submit(page)
    assert page.locator(".hds-error-summary").count(), "the empty sign-in form shows no error summary"
    return status


def _invalid_phone(open_form: Callable) -> Callable:
    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        open_form(page, base, roles)
        page.fill("#phone", "abc")
        status = _submit(page)
        assert page.locator(".hds-error-summary").count(), f"no error summary on {page.url}"
        assert page.locator("#phone[aria-invalid=true]").count(), f"#phone is not marked invalid on {page.url}"
        return status

    return visit


def _first_link(list_path: str, selector: str = "#main table a") -> Callable:
    """Open the first detail link of a list page (real ids from the seeded data)."""

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        page.goto(base + list_path)
        link = page.locator(selector).first
        assert link.count(), f"no link {selector!r} on {list_path}"
        return page.goto(base + link.get_attribute("href")).status

    return visit


def _client_background(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    _first_link("/work")(page, base)
    return page.goto(base + page.locator("#main a[href$='/background']").first.get_attribute("href")).status


SANNA = frozenset({"coordinator"})  # the lifecycle pages of the services she coordinates


def _service_page(path: str) -> Callable:
    """A service-lifecycle page of the first client on the caseload: ``path`` after the client's page
    ("/services/new…"), or a link on it ("people", "transfer", "end": the first ongoing service's).

    For a link, the first client on the caseload whose page has one: the caseload is ordered by what needs
    attention, which changes with the day (a client whose service she does not coordinate can come first)."""

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        if path.startswith("/"):
            _first_link("/work")(page, base)
            return page.goto(page.url.split("#")[0] + path).status
        page.goto(base + "/work")
        rows = page.locator("#main table a[href^='/work/clients/']").all()
        clients = list(dict.fromkeys(a.get_attribute("href") for a in rows))
        for client in clients:
            page.goto(base + client)
            link = page.locator(f"#main a[href*='/work/services/'][href$='/{path}']").first
            if link.count():
                return page.goto(base + link.get_attribute("href")).status
        raise AssertionError(f"no {path} link on any client page of the caseload ({len(clients)} clients)")

    return visit


def _submit_empty(open_form: Callable) -> Callable:
    """Open a form and send it as it is: the error state with its summary."""

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        open_form(page, base, roles)
        status = _submit(page)
        assert page.locator(".hds-error-summary").count(), f"no error summary on {page.url}"
        return status

    return visit


def _series_result(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """Book three weekly contacts through the booking form: the result page after the redirect (issue 17)."""
    _first_link("/work/calendar/", BOOKING_LINK)(page, base, roles)
    page.fill("#day", "2027-01-11")
    page.fill("#time", "10:00")
    page.fill("#weeks", "3")
    status = _submit(page)
    assert "/work/calendar/series/" in page.url, page.url
    return status


def _bad_hours(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    page.goto(base + "/work/calendar/hours")
    page.fill("#d0_start_0", "16:00")
    page.fill("#d0_end_0", "08:00")
    status = _submit(page)
    assert page.locator(".hds-error-summary").count(), f"no error summary on {page.url}"
    return status


def _new_group(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """Create a closed group through the form (the demo county has none) and land on its page."""
    page.goto(base + "/work/groups/new")
    page.fill("#name", "Testiryhmä")
    page.fill("#capacity", "6")
    status = _submit(page)
    assert "/work/groups/" in page.url and page.url.rstrip("/").split("/")[-1].isdigit(), page.url
    return status


def _new_group_sessions(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    _new_group(page, base, roles)
    return page.goto(page.url.rstrip("/") + "/sessions").status


def _demo_group(link: str) -> Callable:
    """A page of the demo's closed group (Anna leads it): its first link ending in ``link``."""

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        _first_link("/work/groups/")(page, base, roles)
        target = page.locator(f"#main a[href$='{link}']").first
        assert target.count(), f"no {link} link on {page.url}"
        return page.goto(base + target.get_attribute("href")).status

    return visit


def _video_room(all_stages: bool = False) -> Callable:
    """The video meeting page: reopens a meeting open now from /video/, or starts one with the first client.

    The browser here has no camera, so the page stays at its check stage; ``all_stages`` unhides the
    waiting room and the call too (their markup is static until the call starts), for axe and reflow.
    """

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        page.goto(base + "/video/")
        reopen = page.locator("#main form[action*='/video/appointments/'] button[type=submit]")
        if reopen.count():
            button = reopen.first
        else:  # the client list starts with an empty "Choose a client": choose the first client
            page.locator("#main form[action$='/video/start'] select").select_option(index=1)
            button = page.locator("#main form[action$='/video/start'] button").first
        with page.expect_navigation() as navigation:
            button.click()
        assert "/video/r/" in page.url, f"no video room opened: {page.url} {page.inner_text('#main')[:300]}"
        page.wait_for_selector("body[data-stage]", state="attached")
        if all_stages:
            page.evaluate("document.querySelectorAll('.stage').forEach(stage => { stage.hidden = false; })")
        return navigation.value.status

    return visit


def _video_invites(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    _video_room()(page, base, roles)
    return page.goto(base + page.locator("#waiting-panel a[href$='/invites']").get_attribute("href")).status


def _forbidden(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """The 403 page: the first of these that the role may not open."""
    for endpoint, path in (("admin.index", "/admin"), ("caseload.index", "/work"), ("me.home", "/me")):
        if not _allowed(endpoint, roles):
            return page.goto(base + path).status
    raise AssertionError("this role may open every page: choose another for the 403 page")


BOOKING_LINK = "#main a[href*='/work/calendar/book/']"
RECORD_LINK = "#main a[href^='/meetings/appointments/']"


def _record_page(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """A meeting's record page, from the calendar of the latest past week that has one (the demo county's
    past meetings are all recorded: this opens one for correcting)."""
    from datetime import date, timedelta

    for weeks in range(1, 13):
        page.goto(f"{base}/work/calendar/?view=week&date={(date.today() - timedelta(weeks=weeks)).isoformat()}")
        link = page.locator(RECORD_LINK).first
        if link.count():
            return page.goto(base + link.get_attribute("href")).status
    raise AssertionError("no meeting to record or correct in the last 12 weeks of the calendar")


def _record_invalid(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    _record_page(page, base, roles)
    page.fill("#minutes", "")
    status = _submit(page)
    assert page.locator(".hds-error-summary").count(), f"no error summary on {page.url}"
    assert page.locator("#minutes[aria-invalid=true]").count(), f"#minutes is not marked invalid on {page.url}"
    return status
CHANGE_LINK = "#main a[href$='/change']"
MEASURE_LINK = "#main a[href^='/me/measures/']"


def _cancel_confirmation(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    page.goto(base + "/me/appointments")
    return _follow_or_skip(page, base, "#main a[href$='/cancel']", "no appointment far enough away to cancel")


def _follow_or_skip(page, base: str, selector: str, why: str) -> int:
    """Open the first link matching ``selector`` on the current page; skip when this login has none."""
    link = page.locator(selector).first
    if not link.count():
        pytest.skip(why)
    return page.goto(base + link.get_attribute("href")).status


def _measure_form(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    page.goto(base + "/me")
    return _follow_or_skip(page, base, MEASURE_LINK, "this demo client has no questionnaire open today")


def _measure_form_invalid(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    _measure_form(page, base, roles)
    status = _submit(page)  # nothing chosen and no line moved: every required item is unanswered
    assert page.locator(".hds-error-summary").count(), f"no error summary on {page.url}"
    return status


def _measures_overview(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    _first_link("/work")(page, base)
    return _follow_or_skip(page, base, "#main a[href^='/measures/enrolments/']", "no enrolment")


def _measures_worker_form(suffix: str) -> Callable:
    """The entry or correction form of the first of the login's clients (up to ten) that has one."""

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        page.goto(base + "/work")
        clients = [a.get_attribute("href") for a in page.locator("#main table a[href^='/work/clients/']").all()]
        for client in clients[:10]:
            page.goto(base + client)
            for overview in [a.get_attribute("href") for a in
                             page.locator("#main a[href^='/measures/enrolments/']").all()]:
                page.goto(base + overview)
                link = page.locator(f"#main a[href$='{suffix}']").first
                if link.count():
                    return page.goto(base + link.get_attribute("href")).status
        pytest.skip("none of this login's first clients has measures to enter or correct")

    return visit


PLAN_LINK = "#main a[href^='/plans/']"


def _plan_page(suffix: str) -> Callable:
    """A plan page of the login's first enrolment: the client's from /me/plans, a worker's from a client page."""

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        if "client" in roles:
            page.goto(base + "/me/plans")
        else:
            _first_link("/work")(page, base)
        link = page.locator(PLAN_LINK).first
        assert link.count(), f"no plan link on {page.url}"
        return page.goto(base + link.get_attribute("href") + suffix).status

    return visit


def _plan_goal_invalid(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    _plan_page("")(page, base, roles)
    with page.expect_navigation() as navigation:
        page.click("#main form[action$='/goals'] button[type=submit]")
    assert page.locator(".hds-error-summary").count(), f"no error summary on {page.url}"
    return navigation.value.status


NEW_MESSAGE_LINK = "#main a[href^='/messages/enrolments/']:not([href$='/callback'])"


def _new_message(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """The new-message form of the login's first enrolment (the client's list, or a worker's client page)."""
    if "client" in roles:
        page.goto(base + "/me/messages")
    else:
        _first_link("/work")(page, base)
    link = page.locator(NEW_MESSAGE_LINK).first
    assert link.count(), f"no new-message link on {page.url}"
    return page.goto(base + link.get_attribute("href")).status


def _message_thread(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """Send a message through the form and land on its thread (with the reply form and the live script)."""
    _new_message(page, base, roles)
    page.fill("#subject", "Testiviesti")
    page.fill("#body", "Hei, tämä on testiviesti.")
    status = _submit(page)
    assert "/messages/" in page.url and page.url.rstrip("/").split("/")[-1].isdigit(), page.url
    return status


def _callback_form(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    page.goto(base + "/me/messages")
    return page.goto(base + page.locator("#main a[href$='/callback']").first.get_attribute("href")).status


def _intake_request_invalid(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """The client's service request sent empty (the Send button, not Save draft): the error summary."""
    page.goto(base + "/me/housing/request")
    page.fill("#description", "")
    with page.expect_navigation() as navigation:
        page.click("#main form button[value=send]")
    assert page.locator(".hds-error-summary").count(), f"no error summary on {page.url}"
    return navigation.value.status


@dataclass(frozen=True)
class Page:
    endpoint: str | None  # the matrix entry this page belongs to; None: error pages
    visit: Callable
    status: int = 200
    anonymous_only: bool = False
    signed_in_only: bool = False
    who: frozenset[str] | None = None  # only these logins visit it (None: everyone the matrix allows)


def _aino_network(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """The team's page of Aino's network (seed 003: the demo coordinator recorded her doctor and pharmacy)."""
    page.goto(base + "/work")
    page.goto(base + page.locator("#main table a:has-text('Aino')").first.get_attribute("href"))
    return page.goto(base + page.locator("#main a[href$='/network']").first.get_attribute("href")).status


def _network_contact(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    _aino_network(page, base, roles)
    return page.goto(base + page.locator("#main a[href*='/work/network/']").first.get_attribute("href")).status


def _referral_sent(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """The referrer's view of a referral: the first one on their list (the demo nurse has sent several)."""
    return _first_link("/referrals/")(page, base, roles)


def _unit_vacancy(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """A housing unit's vacancy as its own staff see it: the first unit, then its first vacancy."""
    _first_link("/work/queues/units")(page, base, roles)
    link = page.locator("#main a[href*='/work/queues/vacancies/']").first
    assert link.count(), "the demo unit has no vacancy"
    return page.goto(base + link.get_attribute("href")).status


def _offer_invalid(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """The open vacancy's offer form sent without an answer date: its error state."""
    _first_link("/work/queues/", "#main a[href*='/work/queues/vacancies/']")(page, base, roles)
    page.fill("#answer_by", "")
    return _submit(page)


def _client_page(suffix: str) -> Callable:
    """A page linked from the first client's page whose address ends in ``suffix``."""

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        _first_link("/work")(page, base)
        return page.goto(base + page.locator(f"#main a[href$='{suffix}']").first.get_attribute("href")).status

    return visit


_client_activation = _client_page("/activation")


def _activation_letter(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """The printable letter with a fresh activation code (a POST's answer: the code is shown once)."""
    _client_activation(page, base, roles)
    page.click("label[for='channel-2']")
    status = _submit(page)
    assert page.locator(".activation-code").count(), f"no activation code on {page.url}"
    return status


def _audit_reveal(reason: str) -> Callable:
    """The administrator's reasoned reveal of one client's name in the pseudonymous audit search (a POST)."""

    def visit(page, base: str, roles: frozenset[str] = frozenset()) -> int:
        page.goto(base + "/admin/audit?client_id=1")
        page.fill("#reason", reason)
        with page.expect_navigation() as navigation:
            page.click("#main form[method=post] button[type=submit]")
        return navigation.value.status

    return visit


def _smart_consent(page, base: str, roles: frozenset[str] = frozenset()) -> int:
    """A user-facing app's launch: the consent page (a test app is registered in the served county once)."""
    from urllib.parse import urlencode

    from portal.extensions import db
    from portal.smart import operations, queries

    with SERVED_APPS[base].app_context():
        app = queries.by_name("Accessibility check app") or operations.create_client(
            "Accessibility check app", redirect_uris=("http://localhost/callback",))
        client_id = app.client_id
        db.session.commit()
    query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": "http://localhost/callback",
                       "scope": "launch/patient patient/*.rs user/*.rs", "state": "a11y", "aud": base + "/fhir/r4",
                       "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                       "code_challenge_method": "S256"})
    return page.goto(f"{base}/smart/authorize?{query}").status


PAGES: dict[str, Page] = {
    "login": Page("auth.login", _goto("/login"), anonymous_only=True),
    "login-failed": Page("auth.login", _login_failed, 401, anonymous_only=True),
    "login-empty": Page("auth.login", _login_empty, 400, anonymous_only=True),
    "accessibility": Page("core.accessibility", _goto("/accessibility")),
    "not-found": Page(None, _goto("/no-such-page"), 404),
    "forbidden": Page(None, _forbidden, 403, signed_in_only=True),
    "account": Page("core.account", _goto("/account")),
    "smart-consent": Page("smart.authorize", _smart_consent, who=frozenset({"client-aino", "worker"})),
    "smart-unknown-app": Page("smart.authorize", _goto("/smart/authorize?client_id=nobody"), 404,
                              who=frozenset({"worker"})),
    "me-home": Page("me.home", _goto("/me")),
    "me-profile": Page("me.profile", _goto("/me/profile")),
    "me-practice": Page("me.practice", _goto("/me/practice")),  # camera and connection test (issue 16)
    "me-profile-invalid": Page("me.profile", _invalid_phone(_goto("/me/profile")), 400),
    "me-access-log": Page("audit.my_access_log", _goto("/me/access-log")),
    "caseload": Page("caseload.index", _goto("/work")),
    "my-day": Page("tasks.today", _goto("/work/today")),
    "caseload-client": Page("caseload.client", _first_link("/work")),
    "caseload-background": Page("caseload.background", _client_background),
    "caseload-background-invalid": Page("caseload.background", _invalid_phone(_client_background), 400),
    # service lifecycle (issue 13); the invalid forms are refused (a decision missing, no end reason): nothing saved
    "service-choose": Page("programmes.choose", _service_page("/services/new"), who=SANNA),
    "service-start": Page("programmes.start", _service_page("/services/new/remote-guidance"), who=SANNA),
    "service-start-invalid": Page("programmes.start", _submit_empty(
        _service_page("/services/new/intensive-rehabilitation")), 400, who=SANNA),
    "service-people": Page("programmes.people", _service_page("people"), who=SANNA),
    "service-transfer": Page("programmes.transfer", _service_page("transfer"), who=SANNA),
    "service-end": Page("programmes.end", _service_page("end"), who=SANNA),
    "service-end-invalid": Page("programmes.end", _submit_empty(_service_page("end")), 400, who=SANNA),
    "clients": Page("caseload.clients", _goto("/work/clients?q=a"), who=frozenset({"coordinator", "team-lead"})),
    "client-register": Page("caseload.register", _goto("/work/clients/new"), who=frozenset({"coordinator"})),
    "client-register-invalid": Page("caseload.register", _submit_empty(_goto("/work/clients/new")), 400,
                                    who=frozenset({"coordinator"})),
    "client-activation": Page("caseload.activation", _client_activation, who=frozenset({"coordinator"})),
    "client-activation-letter": Page("caseload.activation", _activation_letter, who=frozenset({"coordinator"})),
    "client-identity-code-invalid": Page("caseload.identity_code", _submit_empty(_client_page("/identity-code")), 400,
                                         who=frozenset({"coordinator"})),
    "activate": Page("people.activate", _goto("/activate"), anonymous_only=True),
    "activate-invalid": Page("people.activate", _submit_empty(_goto("/activate")), 400, anonymous_only=True),
    "admin": Page("admin.index", _goto("/admin")),
    "admin-programme": Page("admin.programme", _first_link("/admin")),
    "admin-users": Page("admin.users", _goto("/admin/users")),
    "admin-user": Page("admin.user", _first_link("/admin/users")),
    "admin-user-new": Page("admin.new_user", _goto("/admin/users/new")),
    "admin-user-new-invalid": Page("admin.new_user", _submit_empty(_goto("/admin/users/new")), 400),
    "admin-units": Page("admin.units", _goto("/admin/units")),
    "admin-unit-new": Page("admin.new_unit", _goto("/admin/units/new")),
    "admin-unit": Page("admin.unit", _first_link("/admin/units")),
    "admin-municipalities": Page("admin.municipalities", _goto("/admin/municipalities")),
    "admin-municipalities-invalid": Page("admin.municipalities", _submit_empty(_goto("/admin/municipalities")), 400),
    "admin-municipality": Page("admin.municipality", _first_link("/admin/municipalities")),
    "admin-housing-units": Page("admin.housing_units", _goto("/admin/housing-units")),
    "admin-housing-unit-new": Page("admin.new_housing_unit", _goto("/admin/housing-units/new")),
    "admin-housing-unit": Page("admin.housing_unit", _first_link("/admin/housing-units")),
    "admin-queues": Page("admin.queues", _goto("/admin/queues")),
    "forgot-password": Page("auth.forgot_password", _goto("/password/forgot"), anonymous_only=True),
    "forgot-password-invalid": Page("auth.forgot_password", _submit_empty(_goto("/password/forgot")), 400,
                                    anonymous_only=True),
    "activation-link-invalid": Page("auth.activate_account", _goto("/activate/not-a-real-token"), 404,
                                    anonymous_only=True),
    "reset-link-invalid": Page("auth.reset", _goto("/password/reset/not-a-real-token"), 404, anonymous_only=True),
    "second-factor-expired": Page("auth.second_factor", _goto("/login/verify"), anonymous_only=True),
    "two-step-setup-expired": Page("auth.enrol_at_sign_in", _goto("/login/two-step-setup"), anonymous_only=True),
    "change-password": Page("auth.change_own_password", _goto("/account/password"),
                            who=frozenset({"coordinator", "client-aino"})),
    "change-password-invalid": Page("auth.change_own_password", _submit_empty(_goto("/account/password")), 400,
                                    who=frozenset({"coordinator"})),
    "two-step": Page("auth.two_step", _goto("/account/two-step"), who=frozenset({"coordinator", "client-aino"})),
    "two-step-invalid": Page("auth.two_step", _submit_empty(_goto("/account/two-step")), 400,
                             who=frozenset({"coordinator"})),
    "audit-search": Page("audit.search", _goto("/admin/audit")),
    "audit-search-invalid": Page("audit.search", _goto("/admin/audit?client_id=abc"), 400),
    "audit-search-client": Page("audit.search", _goto("/admin/audit?client_id=1")),
    "audit-reveal": Page("audit.search", _audit_reveal("Tietopyyntö 12/2026")),  # the POST answer of the search page
    "audit-reveal-empty": Page("audit.search", _audit_reveal(""), 400),
    "outbox": Page("notifications.outbox", _goto("/admin/outbox")),
    "calendar-day": Page("scheduling.index", _goto("/work/calendar/")),
    "calendar-week": Page("scheduling.index", _goto("/work/calendar/?view=week")),
    "calendar-week-25-hours": Page("scheduling.index", _goto("/work/calendar/?view=week&date=2026-10-25")),
    "calendar-bad-date": Page("scheduling.index", _goto("/work/calendar/?date=nope"), 400),
    "calendar-team": Page("scheduling.team", _goto("/work/calendar/team")),
    "working-hours": Page("scheduling.working_hours", _goto("/work/calendar/hours")),
    "working-hours-invalid": Page("scheduling.working_hours", _bad_hours, 400),
    "absences": Page("scheduling.absences", _goto("/work/calendar/absences")),
    "call-slots": Page("scheduling.call_slots", _goto("/work/calendar/calls")),
    "call-slots-invalid": Page("scheduling.call_slots", _submit_empty(_goto("/work/calendar/calls")), 400),
    "groups": Page("groups.index", _goto("/work/groups/")),
    "group-new": Page("groups.new", _goto("/work/groups/new")),
    "group-new-invalid": Page("groups.new", _submit_empty(_goto("/work/groups/new")), 400),
    "group": Page("groups.show", _new_group),
    "group-sessions": Page("groups.sessions", _new_group_sessions),
    "group-attendance": Page("groups.attendance", _demo_group("/attendance"), who=frozenset({"worker"})),
    "group-close": Page("groups.close", _demo_group("/close"), who=frozenset({"worker"})),
    "video-index": Page("video.index", _goto("/video/")),
    "video-left": Page("video.left", _goto("/video/left")),
    "video-invite-invalid": Page("video.invite", _goto("/video/i/not-a-real-token"), 404),
    "video-invites": Page("video.invites", _video_invites, who=frozenset({"coordinator"})),
    "video-room": Page("video.room", _video_room(), who=frozenset({"coordinator"})),
    "video-room-all-stages": Page("video.room", _video_room(all_stages=True), who=frozenset({"coordinator"})),
    "booking": Page("scheduling.book", _first_link("/work/calendar/", BOOKING_LINK)),
    "booking-invalid": Page("scheduling.book", _submit_empty(_first_link("/work/calendar/", BOOKING_LINK)), 400),
    "series-result": Page("scheduling.series_result", _series_result),
    "meetings-to-record": Page("meetings.pending", _goto("/meetings/to-record")),
    "meeting-record": Page("meetings.record", _record_page),
    "meeting-record-invalid": Page("meetings.record", _record_invalid, 400),
    "appointments": Page("appointments.index", _goto("/me/appointments")),
    "appointment-change": Page("appointments.change", _first_link("/me/appointments", CHANGE_LINK)),
    "appointment-change-invalid": Page("appointments.change",
                                       _submit_empty(_first_link("/me/appointments", CHANGE_LINK)), 400),
    # cancelling asks first, with an optional reason (issue 16); one client is enough (only the catalog differs)
    "appointment-cancel": Page("appointments.cancel", _cancel_confirmation, who=frozenset({"client-aino"})),
    # a questionnaire link that does not work: a plain page (the working one: tests/browser/test_questionnaire_link.py)
    "questionnaire-link-closed": Page("measures.by_link", _goto("/q/not-a-real-token"), 404, anonymous_only=True),
    "measures-results": Page("measures.my_results", _goto("/me/measures")),
    "measures-answer": Page("measures.answer", _measure_form),
    "measures-answer-invalid": Page("measures.answer", _measure_form_invalid, 400),
    "measures-overview": Page("measures.overview", _measures_overview),
    "measures-enter": Page("measures.enter", _measures_worker_form("/enter")),
    "measures-correct": Page("measures.correct", _measures_worker_form("/correct")),
    "plans-mine": Page("plans.mine", _goto("/me/plans")),
    "plan": Page("plans.show", _plan_page("")),
    "plan-goal-invalid": Page("plans.show", _plan_goal_invalid, 400),
    "plan-print": Page("plans.print_view", _plan_page("/print")),
    "plan-versions": Page("plans.versions", _plan_page("/versions")),
    "plan-continuation": Page("plans.continuation", _plan_page("/continuation")),
    "messages-mine": Page("messages.mine", _goto("/me/messages")),
    "messages-inbox": Page("messages.inbox", _goto("/messages/inbox")),
    "messages-team": Page("messages.team_inbox", _goto("/messages/team")),
    "message-new": Page("messages.new_thread", _new_message),
    "message-new-invalid": Page("messages.new_thread", _submit_empty(_new_message), 400),
    "message-thread": Page("messages.thread", _message_thread),
    "message-callback": Page("messages.callback", _callback_form),
    "message-callback-invalid": Page("messages.callback", _submit_empty(_callback_form), 400),
    # reports: every programme's page once, by a login that has data in it (a queue coordinator only the housing one)
    "reports": Page("reports.index", _goto("/reports/")),
    "report-remote": Page("reports.show", _goto("/reports/remote-guidance"), who=frozenset({"coordinator"})),
    "report-remote-invalid": Page("reports.show", _goto("/reports/remote-guidance?start=2026-13-01"), 400,
                                  who=frozenset({"coordinator"})),
    "report-housing": Page("reports.show", _goto("/reports/housing-guidance"), who=frozenset({"queue", "team-lead"})),
    "report-intensive": Page("reports.show", _goto("/reports/intensive-rehabilitation"), who=frozenset({"worker"})),
    "report-ppt": Page("reports.show", _goto("/reports/many-services"), who=frozenset({"coordinator"})),
    "report-health": Page("reports.show", _goto("/reports/health-social-work"), who=frozenset({"team-lead"})),
    "report-comments": Page("reports.comments", _goto("/reports/intensive-rehabilitation/comments"),
                            who=frozenset({"team-lead"})),
    # intake (seed 001): the list, a contact, forms (empty and refused), assessments, the SAP agenda, decisions;
    # the client's status page, request form and printed decision (Elsa's is Swedish)
    "intake-list": Page("intake.index", _goto("/intake")),
    "intake-item": Page("intake.item", _first_link("/intake"), who=frozenset({"team-lead"})),
    "intake-new": Page("intake.new", _goto("/intake/new")),
    "intake-new-invalid": Page("intake.new", _submit_empty(_goto("/intake/new")), 400),
    "intake-assessments": Page("intake.assessments", _goto("/intake/assessments")),
    "intake-assessment": Page("intake.assessment", _first_link("/intake/assessments"), who=frozenset({"team-lead"})),
    "intake-meetings": Page("intake.meetings", _goto("/intake/meetings")),
    "intake-meeting": Page("intake.meeting", _first_link("/intake/meetings", "#main a[href*='/intake/meetings/']"),
                           who=frozenset({"team-lead", "service-manager"})),
    "intake-decisions": Page("intake.decisions", _goto("/intake/decisions")),
    "intake-decision": Page("intake.decision", _first_link("/intake/decisions", "#main a[href*='/intake/decisions/']"),
                            who=frozenset({"team-lead", "service-manager"})),
    "intake-decision-print": Page("intake.decision_print", _first_link("/me/housing", "#main a[href*='/print']"),
                                  who=frozenset({"client-elsa"})),
    "intake-mine": Page("intake.mine", _goto("/me/housing")),
    "intake-my-assessment": Page("intake.my_assessment", _goto("/me/assessment"), who=frozenset({"client-elsa"})),
    # the client's network (seeds 003, 004): the team's page, a contact's form, the client's own view
    "network": Page("network.index", _aino_network, who=frozenset({"coordinator"})),
    "network-invalid": Page("network.index", _submit_empty(_aino_network), 400, who=frozenset({"coordinator"})),
    "network-contact": Page("network.edit", _network_contact, who=frozenset({"coordinator"})),
    "network-mine": Page("network.mine", _goto("/me/network"), who=frozenset({"client-aino"})),
    "intake-request": Page("intake.service_request", _goto("/me/housing/request")),
    "intake-request-invalid": Page("intake.service_request", _intake_request_invalid, 400,
                                   who=frozenset({"client-aino"})),
    # referrals (seed 004): the referrer's forms (empty and refused), list and a sent referral; the inbox as a
    # case worker outside health social work sees it (empty)
    "referrals-mine": Page("referrals.mine", _goto("/referrals/")),
    "referral-new": Page("referrals.new_referral", _goto("/referrals/new")),
    "referral-new-invalid": Page("referrals.new_referral", _submit_empty(_goto("/referrals/new")), 400),
    "referral-consult": Page("referrals.new_consultation", _goto("/referrals/consult")),
    "referral-consult-invalid": Page("referrals.new_consultation", _submit_empty(_goto("/referrals/consult")), 400),
    "referral-sent": Page("referrals.show", _referral_sent, who=frozenset({"referrer"})),
    "referrals-inbox": Page("referrals.inbox", _goto("/referrals/inbox"), who=frozenset({"coordinator"})),
    # queues (seed 001): Jonna keeps the queues; the demo unit login sees its own units only
    "queues": Page("queues.index", _goto("/work/queues/")),
    "queue-supported": Page("queues.show", _goto("/work/queues/queue/supported"), who=frozenset({"queue"})),
    "queues-units": Page("queues.units", _goto("/work/queues/units")),
    "queues-unit": Page("queues.unit", _first_link("/work/queues/units"), who=frozenset({"queue", "housing-unit"})),
    "queues-vacancy": Page("queues.vacancy", _first_link("/work/queues/", "#main a[href*='/work/queues/vacancies/']"),
                           who=frozenset({"queue"})),
    "queues-vacancy-unit": Page("queues.vacancy", _unit_vacancy, who=frozenset({"housing-unit"})),
    "queues-offer-invalid": Page("queues.vacancy", _offer_invalid, 400, who=frozenset({"queue"})),
    "queues-client-status": Page("queues.client_status",
                                 _first_link("/work/queues/queue/supported", "#main a[href*='/work/queues/clients/']"),
                                 who=frozenset({"queue"})),
}


def _allowed(endpoint: str, roles: frozenset[str]) -> bool:
    method, allowed = ACCESS[endpoint]
    return method == "GET" and (allowed == PUBLIC or bool(roles and roles & allowed))


def _visible_to(who: str, page: Page) -> bool:
    signed_in = WHO[who][0] is not None
    if (page.anonymous_only and signed_in) or (page.signed_in_only and not signed_in):
        return False
    if page.who is not None and who not in page.who:
        return False
    return page.endpoint is None or _allowed(page.endpoint, WHO[who][1])


CASES = [pytest.param(who, name, id=f"{who}-{name}") for who in WHO for name, page in PAGES.items()
         if _visible_to(who, page)]


# ---------------------------------------------------------------------------------------------
# Checks


def assert_no_axe_violations(page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS).response
    violations = results["violations"]
    if not violations:
        return
    lines = [f"{len(violations)} axe rule(s) violated on {page.url} (lang={_lang(page)}):"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} – {v['helpUrl']}")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {target}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    pytest.fail("\n".join(lines), pytrace=False)


def _lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.table-scroll')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) {
      offenders.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' right=' + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, offenders: offenders.slice(0, 10)};
}"""

SCROLL_REGIONS_JS = """() => [...document.querySelectorAll('.table-scroll')].map(el => {
  el.focus();
  return {tabindex: el.getAttribute('tabindex'), focused: document.activeElement === el,
          name: el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')};
})"""


def assert_no_horizontal_scroll(page) -> None:
    result = page.evaluate(OVERFLOW_JS)
    assert result["scrollWidth"] <= result["width"], (
        f"{page.url} scrolls sideways at {result['width']} CSS px: the page is {result['scrollWidth']} px wide; "
        f"sticking out: {result['offenders']}")
    for region in page.evaluate(SCROLL_REGIONS_JS):
        assert region["focused"] and region["tabindex"] == "0", (
            f"a .table-scroll region on {page.url} cannot be reached with the keyboard: {region}")
        assert region["name"], f"a .table-scroll region on {page.url} has no accessible name"


def assert_visible_in_viewport(page, selector: str, what: str) -> None:
    width = page.viewport_size["width"]
    items = page.locator(selector)
    assert items.count(), f"{what} missing on {page.url}"
    for i in range(items.count()):
        item = items.nth(i)
        box = item.bounding_box()
        assert item.is_visible() and box, f"{what} not visible on {page.url}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
            f"{what} ({item.inner_text()!r}) sticks out of the {width} px viewport on {page.url}: {box}")


def assert_controls_visible(page, signed_in: bool) -> None:
    assert_visible_in_viewport(page, ".language-switch button", "the language buttons")
    if signed_in:
        assert_visible_in_viewport(page, "form[action$='/logout'] button", "the sign-out button")
    if page.locator("#password").count():
        assert_visible_in_viewport(page, "#main button[type=submit]", "the sign-in button")


def open_page(page, base: str, who: str, name: str) -> None:
    spec = PAGES[name]
    status = spec.visit(page, base, WHO[who][1])
    assert status == spec.status, f"{who} got HTTP {status} (expected {spec.status}) on {page.url}"
    if WHO[who][0] is not None:
        assert page.locator("form[action$='/logout']").count(), f"{who} was signed out on {page.url}"


# ---------------------------------------------------------------------------------------------
# One signed-in context per role for the whole session; one open page at a time.


class RolePages:
    def __init__(self, browser, base: str):
        self.browser, self.base = browser, base
        self.contexts: dict[str, object] = {}
        self.current, self.current_who = None, None

    def page(self, who: str, viewport: dict):
        if self.current is not None and self.current_who == who and not self.current.is_closed():
            self.current.set_viewport_size(viewport)
            return self.current
        if self.current is not None:
            self.current.close()
            self.current = None
        if who not in self.contexts:
            email = WHO[who][0]
            page = (signed_in_page(self.browser, self.base, email) if email
                    else new_page(self.browser))
            self.contexts[who] = page.context
            page.close()
        self.current, self.current_who = self.contexts[who].new_page(), who
        self.current.set_viewport_size(viewport)
        return self.current

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="session")
def role_pages(browser, live_server):
    pages = RolePages(browser, live_server)
    yield pages
    pages.close()


# ---------------------------------------------------------------------------------------------
# The tests


def test_every_page_of_the_matrix_is_visited():
    pages = {p.endpoint for p in PAGES.values() if p.endpoint}
    get_endpoints = {endpoint for endpoint, (method, _) in ACCESS.items() if method == "GET"}
    assert get_endpoints - pages - set(NOT_PAGES) == set(), "add a visit for the new page to PAGES"
    assert set(NOT_PAGES) <= get_endpoints and not pages & set(NOT_PAGES)


def test_every_demo_login_is_checked():
    assert {email for email, _ in DEMO_LOGINS} == {email for email, _ in WHO.values() if email}


def test_demo_logins_have_these_roles(live_server):
    """WHO above decides which pages each login visits: it must match the seeded accounts."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.extensions import db

    with SERVED_APPS[live_server].app_context():
        for who, (email, roles) in WHO.items():
            if email is None:
                continue
            user = db.session.scalar(select(User).where(User.email == email))
            assert user is not None, f"{email} is not in the demo county"
            actual = {"client"} if user.is_client else {r.value for r in user.role_set}
            assert actual == set(roles), (who, email, actual)


@pytest.mark.parametrize(("who", "name"), CASES)
def test_axe_and_reflow_at_320_px(role_pages, live_server, who, name):
    """axe at 1280 px, then the same page narrowed to 320 px must not scroll sideways and keep its controls
    in view (one visit for both: the browser lays the page out again for the new width, as when a phone
    turns; loading every page twice cost CI two minutes)."""
    page = role_pages.page(who, DESKTOP)
    open_page(page, live_server, who, name)
    assert_no_axe_violations(page)
    page.set_viewport_size(NARROW)
    assert_no_horizontal_scroll(page)
    assert_controls_visible(page, signed_in=WHO[who][0] is not None)


LANGUAGE_PAGES = {
    "anonymous": ["login", "accessibility"],
    "client-aino": ["me-home", "me-profile", "me-access-log"],
    "coordinator": ["caseload", "caseload-client", "account"],
}


def _switch_language(page, code: str) -> None:
    with page.expect_navigation():
        page.click(f".language-switch button[value={code}]")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("who", LANGUAGE_PAGES)
def test_pages_in_each_language(role_pages, live_server, who, lang):
    page = role_pages.page(who, DESKTOP)
    open_page(page, live_server, who, LANGUAGE_PAGES[who][0])
    original = _lang(page)
    try:
        _switch_language(page, lang)
        assert _lang(page) == lang, f"<html lang> is {_lang(page)!r} after choosing {lang}"
        assert page.locator(f".language-switch button[value={lang}][aria-current=true]").count()
        for name in LANGUAGE_PAGES[who]:
            open_page(page, live_server, who, name)
            assert _lang(page) == lang, f"<html lang> is {_lang(page)!r} on {page.url}, chose {lang}"
            assert_no_axe_violations(page)
    finally:
        if _lang(page) != original:
            _switch_language(page, original)


ZOOM_PAGES = [("anonymous", "login"), ("client-aino", "me-home"), ("coordinator", "caseload"),
              ("client-aino", "me-profile"), ("coordinator", "video-room-all-stages")]


@pytest.mark.parametrize(("who", "name"), [pytest.param(w, n, id=f"{w}-{n}") for w, n in ZOOM_PAGES])
def test_reflow_at_200_percent_zoom(browser, live_server, who, name):
    """A 1280×800 window at 200 % zoom lays out as a 640×400 CSS viewport with 2 device pixels a px."""
    email = WHO[who][0]
    zoomed = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
    page = (signed_in_page(browser, live_server, email, **zoomed) if email
            else new_page(browser, zoomed.pop("viewport"), **zoomed))
    try:
        open_page(page, live_server, who, name)
        assert_no_horizontal_scroll(page)
        assert_controls_visible(page, signed_in=email is not None)
    finally:
        page.context.close()


# ---------------------------------------------------------------------------------------------
# Keyboard


FOCUS_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, cls: String(el.className), type: el.type || '',
          text: (el.innerText || '').trim().slice(0, 40), outlineStyle: style.outlineStyle,
          outlineWidth: style.outlineWidth, focusVisible: el.matches(':focus-visible')};
}"""

# Links and buttons show the outline (silta.css). HDS form fields draw their focus ring as a
# box-shadow instead (on the checkbox's label::before for checkboxes), after an 85 ms transition.
FOCUS_INDICATOR_JS = """() => {
  const el = document.activeElement;
  const outline = style => style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = style => style.boxShadow.split(/,(?![^(]*\\))/).some(shadow => {
    const color = (shadow.match(/rgba?\\([^)]*\\)/) || ['rgba(0, 0, 0, 0)'])[0];
    const alpha = color.startsWith('rgba') ? parseFloat(color.split(',')[3]) : 1;
    const sizes = shadow.replace(color, '').trim().split(/\\s+/).map(parseFloat);
    return alpha > 0 && sizes.length >= 4 && sizes[3] >= 2;  // a spread of 2 px or more
  });
  const own = getComputedStyle(el);
  if (el.tagName === 'A' || el.tagName === 'BUTTON') return outline(own);
  if (outline(own) || ring(own)) return true;
  const label = el.labels && el.labels[0];
  if (!label) return false;
  const before = getComputedStyle(label, '::before');
  return outline(before) || ring(before);
}"""


@pytest.fixture
def anonymous_page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


def test_skip_link_moves_focus_to_main(anonymous_page, live_server):
    page = anonymous_page
    page.goto(live_server + "/login")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUS_JS)
    assert "skip-link" in focused["cls"], f"the first Tab focused {focused}, not the skip link"
    assert_visible_in_viewport(page, ".skip-link", "the focused skip link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_sign_in_and_out_with_the_keyboard_only(anonymous_page, live_server):
    page = anonymous_page
    page.goto(live_server + "/login")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    else:
        pytest.fail("Tab never reached the email field")
    page.keyboard.type("asiakas.aino@silta.example")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    from portal.demo.seed import DEMO_PASSWORD

    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/me"), f"signed in by keyboard but landed on {page.url}"

    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('form[action$=\"/logout\"]') !== null"):
            break
    else:
        pytest.fail("Tab never reached the sign-out button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" in page.url
    assert page.locator("#email").count()


@pytest.mark.parametrize("who", ["anonymous", "client-aino", "coordinator"])
def test_focus_is_visible_on_every_control(role_pages, live_server, who):
    """Tab through a whole page: every focused link, button and field shows a focus outline."""
    page = role_pages.page(who, DESKTOP)
    open_page(page, live_server, who, {"anonymous": "login", "client-aino": "me-profile",
                                        "coordinator": "caseload"}[who])
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused["tag"] == "body" or (seen and focused == seen[0]):
            break
        seen.append(focused)
        assert focused["focusVisible"], f"focus on {focused} does not match :focus-visible"
        try:
            page.wait_for_function(FOCUS_INDICATOR_JS, timeout=1000)
        except PlaywrightTimeout:
            pytest.fail(f"no visible focus indicator on {focused} at {page.url}", pytrace=False)
    kinds = {f["tag"] for f in seen}
    assert {"a", "button"} <= kinds, f"Tab reached only {kinds} on {page.url}"
