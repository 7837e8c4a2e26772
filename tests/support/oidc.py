"""A real OpenID Connect provider for tests, and a browserless login helper.

``start_oidc_provider`` runs ``node tests/support/oidc_provider.mjs`` (panva's
``oidc-provider`` v9, installed by ``npm ci`` in ``tests/support``) on a free
127.0.0.1 port, with one confidential client and the given accounts.

``login_with_browserless_client`` drives the provider's development login and
consent pages with plain HTTP, so a test can get the relying party's callback
URL (``?code=...&state=...``) and hand it to the Flask test client.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from .services import ServiceUnavailable, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SUPPORT_DIR = REPO_ROOT / "tests" / "support"
PROVIDER_SCRIPT = SUPPORT_DIR / "oidc_provider.mjs"
READY_TIMEOUT_S = 15.0




@dataclass
class OidcProvider:
    """A running provider process and what a relying party needs to use it."""

    issuer: str
    client_id: str
    client_secret: str
    port: int
    process: subprocess.Popen = field(repr=False)
    stdout_path: Path = field(repr=False)
    stderr_path: Path = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stderr_text(self) -> str:
        """The provider's log so far (library warnings, server errors)."""
        return self.stderr_path.read_text(errors="replace")

    def stop(self, timeout: float = 10.0) -> None:
        """Send SIGTERM to this pid and wait; SIGKILL only if it hangs."""
        if self.process.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)




def _check_prerequisites() -> str:
    node = shutil.which("node")
    if node is None:
        raise ServiceUnavailable("`node` is not on PATH; the test OIDC provider needs Node.js")
    if not (SUPPORT_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        raise ServiceUnavailable(
            f"oidc-provider is not installed: run `npm ci --no-audit --no-fund` in {SUPPORT_DIR}"
        )
    return node


def start_oidc_provider(
    workdir: os.PathLike | str,
    redirect_uris: list[str],
    accounts: dict[str, dict],
    client_id: str = "silta",
    client_secret: str | None = None,
) -> OidcProvider:
    """Start the provider and return once it has printed ``READY``.

    ``workdir`` (e.g. pytest's ``tmp_path``) receives the provider's stdout and
    stderr logs; files rather than pipes, so a chatty provider can never block
    on a full pipe that nobody reads.
    """
    node = _check_prerequisites()
    client_secret = client_secret or secrets.token_urlsafe(32)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    last_error = ""
    for _attempt in range(3):
        port = free_port()  # node may lose this port to a race: retried below
        issuer = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "OIDC_PORT": str(port),
            "OIDC_ISSUER": issuer,
            "OIDC_CLIENT_ID": client_id,
            "OIDC_CLIENT_SECRET": client_secret,
            "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
            "OIDC_ACCOUNTS": json.dumps(accounts),
        }
        stdout_path = workdir / f"oidc-provider-{port}.stdout.log"
        stderr_path = workdir / f"oidc-provider-{port}.stderr.log"
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            process = subprocess.Popen(
                [node, str(PROVIDER_SCRIPT)],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        provider = OidcProvider(
            issuer, client_id, client_secret, port, process, stdout_path, stderr_path
        )

        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if f"READY {issuer}" in stdout_path.read_text(errors="replace"):
                return provider
            if process.poll() is not None:
                break
            time.sleep(0.05)

        exited = process.poll() is not None
        provider.stop()
        last_error = (
            f"exited with code {process.returncode}" if exited
            else f"no READY line within {READY_TIMEOUT_S:.0f} s"
        ) + f"; its stderr:\n{provider.stderr_text()}"
        if "EADDRINUSE" not in last_error:
            break  # only a lost port race is worth another try
    raise RuntimeError(f"test OIDC provider failed to start: {last_error}")


class _FormParser(HTMLParser):
    """Collects every <form>: its action, method and named input values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").upper(),
                "fields": {},
            }
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("name"):
            self._current["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _same_endpoint(url: str, redirect_uri: str) -> bool:
    a, b = urlsplit(url), urlsplit(redirect_uri)
    return (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path)


def login_with_browserless_client(
    session: requests.Session, authorize_url: str, account_id: str
) -> str:
    """Log ``account_id`` in and return the callback URL, without following it.

    Follows the provider's redirects by hand, submits the dev login form
    (``login`` = account id, any ``password``) and the consent form if shown,
    and stops at the first redirect to the request's ``redirect_uri``. The
    returned URL carries ``code``, ``state`` and ``iss`` on success, or
    ``error`` if the provider refused the request (``invalid_request`` without
    PKCE, ``access_denied`` for an account not given to start_oidc_provider).

    The provider keeps a login session in ``session``'s cookies: a second
    call with the same session skips the login and consent forms (SSO), so
    use a fresh ``requests.Session`` to log in as someone else.
    """
    redirect_uris = parse_qs(urlsplit(authorize_url).query).get("redirect_uri")
    if not redirect_uris:
        raise ValueError("authorize_url has no redirect_uri parameter")
    redirect_uri = redirect_uris[0]

    method, url, data = "GET", authorize_url, None
    logins_submitted = 0
    for _step in range(20):  # a normal login takes about 8 requests
        resp = session.request(method, url, data=data, allow_redirects=False, timeout=10)
        if resp.is_redirect:
            location = urljoin(resp.url, resp.headers["Location"])
            if _same_endpoint(location, redirect_uri):
                return location
            method, url, data = "GET", location, None
            continue

        parser = _FormParser()
        parser.feed(resp.text)
        form = next((f for f in parser.forms if "prompt" in f["fields"]), None)
        if resp.status_code != 200 or form is None:
            raise RuntimeError(
                f"unexpected response from the OIDC provider at {resp.url}: "
                f"HTTP {resp.status_code}\n{resp.text[:2000]}"
            )
        fields = dict(form["fields"])
        if fields["prompt"] == "login":
            # The provider never shows the login form twice in one flow (an
            # unknown account ends in error=access_denied); stop, not loop.
            if logins_submitted:
                raise RuntimeError(f"the OIDC provider asked again to log in {account_id!r}")
            logins_submitted += 1
            fields.update(login=account_id, password="any-password")
        method, url, data = form["method"], urljoin(resp.url, form["action"]), fields
    raise RuntimeError("too many steps without reaching the redirect_uri")


def provider_for_module(tmp_path_factory, redirect_uris: list[str], accounts: dict):
    """A module fixture's body: the provider with these accounts, skipped (or failed in CI) when it cannot
    start, stopped when the module is done. Use as ``yield from provider_for_module(...)``."""
    from tests.support.services import require_or_skip

    try:
        server = start_oidc_provider(tmp_path_factory.mktemp("oidc"), redirect_uris, accounts)
    except ServiceUnavailable as exc:
        require_or_skip(exc)
    yield server
    server.stop()
