"""No input gives a 5xx: every form and every path parameter of the demo county, with hostile values.

A generated walk, not random: signed in as each demo login, the test follows the links of the demo county
(one page per endpoint), fills every form it finds with its own values, then replaces them with hostile ones
(ids past 2**63-1, negative and 0 ids, 5000-digit numbers, 0001-01-01 and 9999-12-31, impossible times,
CR/LF and NUL, right-to-left and astral unicode, 20 000 characters, missing fields, fields given twice) and
posts them. Then every route of the URL map the walk did not reach (every POST and every route with path
parameters must be covered) gets hostile path values and a form of every field name the code knows.
Any 5xx fails, with the request that caused it. Deterministic: a failure reproduces.

It runs on SQLite. PostgreSQL is stricter (NUL in text, column lengths): to walk it there, give the test a
module fixture ``county`` that seeds a PostgreSQL copy (``postgres_server``, ``pg_template``); that run
took 2.5 minutes and is not part of the suite.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, RequestRedirect

from portal.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.programmes import registry
from tests.conftest import make_app
from tests.web.test_access_matrix import ACCESS

INTS = ["9223372036854775808", "1" * 5000, "-9223372036854775809", "0", "1.5", "١٢"]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "10000-01-01"]
TIMES = ["24:00", "23:59:60", "99:99"]
STRINGS = ["/\r\nSet-Cookie: x=1", "\u202eä漢字😀\t", "x" * 20000, "a\x00b"]  # NUL alone: it is refused at the door
PATH_INTS = ["9223372036854775808", "1" * 5000]
PATH_STRINGS = ["%0D%0A%20x", "%E2%80%AE%F0%9F%98%80" + "x" * 3000]
ADMIN = DEMO_LOGINS[0][0]
# role → a demo login that has it (case work first: most routes are theirs)
ROLE_LOGINS = [("worker", "sanna.virtanen@silta.example"), ("care_coordinator", "sanna.virtanen@silta.example"),
               ("team_lead", "mikael.lindqvist@silta.example"), ("client", "asiakas.aino@silta.example"),
               ("queue_coordinator", "jonna.laine@silta.example"), ("housing_unit", "asumispalvelu@silta.example"),
               ("referrer", "hoitaja.terveysasema@silta.example"), ("admin", ADMIN)]
PAGES_PER_LOGIN = 120
SOURCE = Path(__file__).resolve().parents[2] / "portal"


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, kind, own value)
    submits: list[tuple[str, str]] = field(default_factory=list)


class Page(HTMLParser):
    """The links and forms of one page (the standard library's parser: enough for our own markup)."""

    def __init__(self, url: str):
        super().__init__()
        self.url, self.links, self.forms = url, [], []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"].split("#")[0])
        elif tag == "form":
            self._form = Form(a.get("action") or self.url, (a.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag in ("button",) or (tag == "input" and a.get("type") == "submit"):
            self._form.submits.append((a["name"], a.get("value", "")))
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" not in a:
            self._form.fields.append((a["name"], "choice", ""))  # known, not chosen
        elif tag == "input":
            self._form.fields.append((a["name"], a.get("type", "text"), a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
            self._form.fields.append((a["name"], "choice", ""))
        elif tag == "option" and self._select and (a.get("value") or "selected" in a):
            self._own(self._select, a.get("value", ""), "selected" in a)
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields.append((a["name"], "textarea", ""))

    def _own(self, name: str, value: str, selected: bool):
        for i, (n, kind, own) in enumerate(self._form.fields):
            if n == name and (selected or not own):
                self._form.fields[i] = (n, kind, value)

    def handle_data(self, data):
        if self._textarea and self._form:
            self._own(self._textarea, data.strip(), True)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _kind(kind: str, own: str) -> str:
    if kind == "date" or re.fullmatch(r"\d{4}-\d\d-\d\d", own):
        return "date"
    if kind == "time" or re.fullmatch(r"\d\d:\d\d", own):
        return "time"
    if kind in ("number", "hidden", "choice") or own.isdigit():
        return "int"
    return "text"


def _variants(form: Form):
    """(description, data) pairs: the form's own values with hostile ones in place.

    An id or a date is given alone (the other fields keep the form's own values, so validation passes and
    the value reaches the code behind it); the rest of the hostile values go into all fields of a kind."""
    own = {name: value for name, _, value in form.fields}
    kinds = {name: _kind(kind, value) for name, kind, value in form.fields}
    for submit in form.submits[:2] or [None]:
        base = dict(own, **({submit[0]: submit[1]} if submit else {}))
        for name, kind in kinds.items():
            for value in {"int": INTS[:2], "date": DATES[:2]}.get(kind, ()):
                yield f"{name}={value[:30]!r}", {**base, name: value}
        for values, kind in ((INTS[2:], "int"), (DATES[2:], "date"), (TIMES, "time")):
            if kind in kinds.values():
                for value in values:
                    yield f"{kind}={value[:30]!r}", {**base, **{n: value for n, k in kinds.items() if k == kind}}
        for value in STRINGS:
            yield f"every field={value[:30]!r}", {**base, **dict.fromkeys(own, value)}
        yield "no fields", dict([submit]) if submit else {}
        yield "every field twice", MultiDict([*base.items(), *((n, INTS[0]) for n in base)])


def _known_field_names() -> tuple[set[str], set[str]]:
    """Every field name the code reads (form classes' fields, request.form/values.get("…")), and every
    query argument (request.args.get("…"))."""
    from flask_wtf import FlaskForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    fields, args = set(), set()
    for cls in subclasses(FlaskForm):
        fields.update(n for n in dir(cls) if not n.startswith("_") and hasattr(getattr(cls, n), "field_class"))
    for path in SOURCE.rglob("*.py"):
        for source, name in re.findall(r"request\.(form|args|values)\.get(?:list)?\(\s*[\"']([\w-]+)[\"']",
                                       path.read_text()):
            (args if source == "args" else fields).add(name)
    return fields, args


@pytest.fixture(scope="module")
def county(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "silta.sqlite3"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", TESTING=False, PROPAGATE_EXCEPTIONS=False)  # a 500 page, as in production
    with app.app_context():
        seed_demo(db.session, {code: item.definition for code, item in registry.loaded().items()},
                  seed=2026, today=date.today())
        db.session.commit()
        db.session.remove()
    return app


class Walk:
    def __init__(self, app):
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.failures: list[str] = []
        self.covered: set[str] = set()  # endpoints that got hostile input
        self.fuzzed_forms: set[tuple] = set()
        self.query_names: set[str] = {"next", "page", "date", "view", "v"}
        self.queried: set[str] = set()  # endpoints whose query string got hostile values (once is enough)
        self.client = None
        self.email = None
        self.requests = 0
        self.errors: list[str] = []
        handler = logging.Handler(logging.ERROR)
        handler.emit = self._record
        logging.getLogger("portal.web.errors").addHandler(handler)

    def _record(self, record: logging.LogRecord):
        """The error page's log line: the exception's type and the last frames (where it was raised)."""
        lines = record.getMessage().splitlines()
        self.errors.append(lines[0] + " " + " ".join(line.strip() for line in lines[-4:]))

    def endpoint(self, url: str, method: str) -> tuple[str, dict] | None:
        try:
            return self.adapter.match(urlsplit(url).path, method=method)
        except RequestRedirect:
            return None
        except HTTPException:
            return None

    def sign_in(self, email: str | None):
        self.client, self.email = self.app.test_client(), email
        if email:
            # (the walk may have deactivated the login or changed its password: its requests then get 302s)
            self.client.post("/login", data={"email": email, "password": DEMO_PASSWORD})

    def send(self, method: str, url: str, what: str, data=None, **kwargs):
        self.requests += 1
        self.errors.clear()
        response = self.client.open(url, method=method, data=data, **kwargs)
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code} {self.email} {method} {url[:150]} {what} {self.errors}")
        elif self.email and response.status_code == 302 and "/login" in response.headers.get("Location", ""):
            self.sign_in(self.email)  # the walk signed itself out, changed its password …: on again
        return response

    def crawl(self, start: str):
        queue, seen_endpoints, pages = [start], set(), 0
        while queue and pages < PAGES_PER_LOGIN:
            url = queue.pop(0)
            match = self.endpoint(url, "GET")
            if match is None or match[0] in seen_endpoints or match[0] in ("static", "auth.logout"):
                continue
            seen_endpoints.add(match[0])
            response = self.send("GET", url, "own page")
            pages += 1
            if response.status_code in (301, 302, 303) and response.location.startswith("/"):
                seen_endpoints.discard(match[0])
                queue.insert(0, response.location)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            page = Page(url)
            page.feed(response.get_data(as_text=True))
            queue.extend(link for link in page.links if link not in queue)
            for form in page.forms:
                self.fuzz_form(form)
                if form.method == "GET":
                    self.query_names.update(n for n, _, _ in form.fields)
            if match[0] not in self.queried:
                self.queried.add(match[0])
                self.fuzz_query(url)

    def fuzz_form(self, form: Form):
        match = self.endpoint(form.action, form.method)
        if match is None or match[0] == "auth.logout":
            return
        key = (match[0], form.method, tuple(sorted(n for n, _, _ in form.fields)))
        if key in self.fuzzed_forms:
            return
        self.fuzzed_forms.add(key)
        self.covered.add(match[0])
        for what, data in _variants(form):
            if form.method == "GET":
                self.send("GET", form.action.split("?")[0] + "?" + urlencode(data), what)
            else:
                self.send(form.method, form.action, what, data=data)

    def fuzz_query(self, url: str):
        base = url.split("?")[0]
        for value in (INTS[0], DATES[0], DATES[1], STRINGS[0]):
            self.send("GET", base + "?" + urlencode(dict.fromkeys(self.query_names, value)), f"query={value[:20]!r}")

    def fuzz_rule(self, rule, names: set[str]):
        """Hostile path values; for a POST the walk found no form of, every known field name with hostile
        values (and malformed JSON) at a path of plausible ids."""
        form_fuzzed = rule.endpoint in self.covered
        self.covered.add(rule.endpoint)
        method = "POST" if "POST" in rule.methods else "GET"
        for i in range(len(PATH_INTS)):
            self.send(method, _build(rule, PATH_INTS[i], PATH_STRINGS[i]), "path")
        if method == "POST" and not form_fuzzed:
            url = _build(rule, "1", "x")
            for value in (INTS[0], DATES[1], *STRINGS):
                self.send("POST", url, f"every known field={value[:20]!r}", data=dict.fromkeys(names, value))
            self.send("POST", url, "malformed JSON", data="{\"a\":", content_type="application/json")
            self.send("POST", url, "JSON list", data="[1e999, null]", content_type="application/json")


def _build(rule, number: str, text: str) -> str:
    """The rule's path with ``number`` for its int arguments and ``text`` for the others."""
    out = []
    for is_dynamic, part in rule._trace:
        if not is_dynamic:
            out.append(part)
        elif part in rule.arguments:
            out.append(number if isinstance(rule._converters[part], IntegerConverter) else text)
    return "".join(out).split("|", 1)[-1]  # before "|": the (empty) subdomain


def _login_for(endpoint: str) -> str:
    """A demo login the access matrix lets use the endpoint (a case worker for public and API routes)."""
    allowed = ACCESS[endpoint][1]
    if isinstance(allowed, set):
        return next(email for role, email in ROLE_LOGINS if role in allowed)
    return ROLE_LOGINS[0][1]


def test_no_input_gives_a_server_error(county):
    walk = Walk(county)
    names, args = _known_field_names()
    walk.query_names.update(args)
    logins = [email for email, _ in DEMO_LOGINS if email != ADMIN] + [None]
    with county.app_context():
        for email in logins:
            walk.sign_in(email)
            walk.crawl("/")
            walk.send("POST", "/language", "next with CR/LF", data={"locale": "sv", "next": "/\r\nX: y"})
        rules = [r for r in county.url_map.iter_rules()
                 if r.endpoint != "static" and (r.arguments or "POST" in r.methods)]
        rules.sort(key=lambda r: (_login_for(r.endpoint) == ADMIN, _login_for(r.endpoint), r.rule))
        for rule in rules:
            if walk.email != _login_for(rule.endpoint):
                walk.sign_in(_login_for(rule.endpoint))
            walk.fuzz_rule(rule, names)
        walk.sign_in(ADMIN)  # last: its forms deactivate and change the other logins
        walk.crawl("/")
    must = {r.endpoint for r in county.url_map.iter_rules()
            if (r.arguments or "POST" in r.methods) and r.endpoint != "static"}
    assert must <= walk.covered, sorted(must - walk.covered)
    print(f"{walk.requests} requests, {len(walk.covered)} endpoints covered, {len(walk.fuzzed_forms)} forms")
    assert not walk.failures, "\n".join(walk.failures[:40]) + f"\n… {len(walk.failures)} in all"
