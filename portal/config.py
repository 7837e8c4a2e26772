"""Configuration: defaults in code, overrides from ``PORTAL_*`` environment variables.

The embedded default (SQLite under ``instance/``, one process) needs no configuration at all. Secrets
never live in code: the embedded default generates a secret key once and keeps it in
``instance/secret_key``; production (``PORTAL_ENV=production``) refuses to start without
``PORTAL_SECRET_KEY``.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
# Templates, static files and translations live at the top of a checkout; the wheel carries them inside
# the package (portal/_assets, copied there by setup.py's build step), so both layouts work.
ASSETS = PACKAGE / "_assets" if (PACKAGE / "_assets").is_dir() else ROOT
INSTALLED = ASSETS != ROOT
MIGRATIONS = PACKAGE / "migrations"
# A checkout keeps its instance folder beside the code; an installed package uses <prefix>/var/silta-instance
# (Flask's convention); production sets PORTAL_INSTANCE_PATH (e.g. /var/lib/silta).
INSTANCE = Path(os.environ.get("PORTAL_INSTANCE_PATH",
                               Path(sys.prefix) / "var" / "silta-instance" if INSTALLED else ROOT / "instance"))


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to change."""


class Defaults:
    ENV = "development"
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'silta.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = ""
    BABEL_DEFAULT_LOCALE = "fi"
    BABEL_DEFAULT_TIMEZONE = "Europe/Helsinki"
    LANGUAGES = ("fi", "sv", "en")
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Sessions: HttpOnly always; Secure in production (the embedded default is plain http on loopback).
    SESSION_COOKIE_NAME = "silta_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 0
    # Server-side sessions (portal/auth/session.py): a session ends after this long without a request, and
    # in any case this many hours after sign-in (a busy day's shift; a keepalive cannot stretch it).
    IDLE_TIMEOUT_MINUTES = 30
    SESSION_MAX_HOURS = 12
    IDLE_WARNING_SECONDS = 120  # the page warns this long before the idle timeout ("keep me signed in")
    WTF_CSRF_TIME_LIMIT = None  # the session's idle timeout bounds the token's life instead
    # Wrong passwords per address (all accounts; a right password never counts), and on invitation codes
    # and second steps every attempt per address.
    LOGIN_RATE_LIMIT = "10 per 5 minutes"
    # Wrong passwords per account: past these, the account refuses the addresses that failed on it (growing
    # waits, the tiers' windows), while an address that has not failed may still sign in (portal/auth/throttle.py).
    LOGIN_ACCOUNT_LIMIT = "5 per minute;10 per 15 minutes;20 per day"
    RATELIMIT_HEADERS_ENABLED = True
    # One process in the embedded default; with PORTAL_REDIS_URL the limits are shared through Redis.
    RATELIMIT_STORAGE_URI = "memory://"
    OIDC_PROVIDERS: dict = {}
    # Workers keep access to a client this long after the enrolment ended, to finish the records.
    ACCESS_AFTER_END_DAYS = 90
    # A client may cancel in the portal until this many hours before; later, they call the worker.
    CLIENT_CANCEL_CUTOFF_HOURS = 24
    # "Needs attention" (portal/tasks): an ongoing service with no held contact for this many days (seed 002's
    # non-engagement; counted from the start when there has been none).
    ATTENTION_NO_CONTACT_DAYS = 21
    # The canonical base of the FHIR API's code systems and identifiers (an organisation sets its own).
    FHIR_CANONICAL_BASE = "https://silta.example/fhir"
    # The domain of iCalendar UIDs (appointment-<id>@<domain>); empty: the host of PUBLIC_BASE_URL. Set it once
    # and keep it: it keeps two organisations' events apart in one calendar.
    ICAL_UID_DOMAIN = ""
    SEED_DEMO_ON_START = True
    DEMO_SEED = 2026
    PROGRAMME_DIR = str(PACKAGE / "programmes" / "definitions")
    # Reminders and notices (portal/notifications). The embedded default keeps every message in the
    # local outbox (/admin/outbox): nothing leaves the machine until a real backend is configured.
    JOBS_ENABLED = True  # the in-process job runner of `python -m portal` (no Redis configured)
    JOBS_INTERVAL_SECONDS = 30
    JOBS_QUEUE_NAME = "silta"  # the huey queue's name in Redis (PORTAL_REDIS_URL set)
    JOBS_WORKERS = 2  # threads of `python -m portal.notifications.jobs`
    REMINDER_OFFSETS = (1440, 60)  # minutes before; whole days mean the same Helsinki time days earlier
    # Links in messages; empty: the address `python -m portal` serves (PORTAL_HOST and PORTAL_PORT).
    PUBLIC_BASE_URL = ""
    EMAIL_BACKEND = "local"  # local | smtp
    SMS_BACKEND = "local"  # local | http
    SMTP_HOST = ""
    SMTP_PORT = 587
    SMTP_TLS = "starttls"  # starttls | ssl | none
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_FROM = ""
    SMS_HTTP_URL = ""
    SMS_HTTP_TOKEN = ""
    SMS_SENDER = "Silta"
    NOTIFICATION_MAX_ATTEMPTS = 5
    NOTIFICATION_TIMEOUT_SECONDS = 10
    # Video meetings (portal/video, rtc/PROTOCOL.md). The embedded server's async mode; the production
    # server (portal/serving.py) runs gevent.
    RTC_ASYNC_MODE = "threading"
    STUN_URLS: tuple = ()  # e.g. stun:turn.example.fi:3478
    TURN_URLS: tuple = ()  # e.g. turn:turn.example.fi:3478?transport=udp, turns:turn.example.fi:443?transport=tcp
    TURN_SECRET = ""  # coturn's static-auth-secret (REST API credentials)
    TURN_TTL_SECONDS = 3600
    RTC_BOTS = 1  # echo-bot processes `python -m portal` starts (0: none; production runs them separately)
    RTC_BOT_SESSIONS = 5  # simultaneous echo tests per bot process (~17 % of a core each, STACK.md)
    RTC_ECHO_LIMIT_SECONDS = 20
    RTC_MAX_MESSAGE_BYTES = 64 * 1024
    # Messages a signaling connection may send: a burst (a browser trickles its ICE candidates at once),
    # then this many a second; a connection over it is closed (rtc/PROTOCOL.md).
    RTC_RATE_BURST = 200
    RTC_RATE_PER_SECOND = 50
    # Group video through Janus (portal/video/sfu.py, deploy/janus/). Empty JANUS_URL: every room is a mesh.
    JANUS_URL = ""  # Silta's own requests, e.g. http://127.0.0.1:8088/janus
    JANUS_PUBLIC_URL = "/janus"  # where browsers reach the same API (nginx proxies it on Silta's origin)
    JANUS_ADMIN_URL = ""  # the admin API for stored tokens, e.g. http://127.0.0.1:7088/admin
    JANUS_API_SECRET = ""  # janus.jcfg api_secret
    JANUS_ADMIN_SECRET = ""  # janus.jcfg admin_secret
    JANUS_ROOM_KEY = ""  # janus.plugin.videoroom.jcfg admin_key (creating rooms)
    JANUS_TIMEOUT_SECONDS = 3
    SFU_MIN_PEOPLE = 5  # a meeting expecting this many people (or any group session) goes through Janus
    # The production server (portal/serving.py: gunicorn, gevent workers; `silta serve`).
    SERVE_WORKER_CONNECTIONS = 10000  # simultaneous connections per worker process (websockets included)
    SERVE_TIMEOUT = 30  # seconds a worker may be unresponsive before the master restarts it
    SERVE_GRACEFUL_TIMEOUT = 30
    SERVE_KEEPALIVE = 5
    SERVE_BACKLOG = 2048
    SERVE_ACCESS_LOG = "-"  # "-": standard output; empty: no access log
    SERVE_GC_FREEZE_SECONDS = 10  # freeze the collector's survivors this often (portal/serving.py); 0: Python's own
    SERVE_GC_SWEEP_MINUTES = 60  # one full collection over everything this often
    SERVE_DB_POOL_SIZE = 10  # database connections per worker (PostgreSQL): a fixed pool, requests wait for one
    SERVE_PAGE_SLOTS = 2  # page requests a worker runs at once, the rest queue in order (portal/serving.py); 0: all
    GUNICORN_CONFIG = ""  # path of an installation's own gunicorn config file (its settings win)
    BIND = ("127.0.0.1:8000",)  # `silta serve`'s listening addresses (comma-separated); --bind overrides
    WEB_WORKERS = 1  # `silta serve`'s worker processes; --workers overrides
    # Behind nginx: how many proxies in front set X-Forwarded-For/-Proto/-Host (0: none, trust no header).
    TRUSTED_PROXIES = 0
    HSTS_SECONDS = 63072000  # Strict-Transport-Security in production (two years); 0: no header
    RTC_BOT_SERVER = "http://127.0.0.1:8000"  # where `silta bot` reaches the signaling server
    PG_BIN_DIR = ""  # where pg_dump/pg_restore are for `silta backup`/`restore` (empty: PATH)
    # Measures (portal/measures): where instrument versions are read from (licensed ORS/SRS wording is
    # installed as a new version there), and after how many meetings "no reliable improvement" alerts.
    MEASURES_INSTRUMENT_DIR = ""  # empty: portal/measures/definitions
    MEASURES_NO_IMPROVEMENT_AFTER = 4
    # Operations (portal/ops): log format, who may read /metrics, and when /readyz says "not ready".
    LOG_FORMAT = ""  # json | text; empty: json when ENV=production, text otherwise
    METRICS_ALLOW = ("127.0.0.1", "::1")  # addresses and networks (after ProxyFix) that may read /metrics
    READY_HEARTBEAT_MAX_AGE_SECONDS = 180  # the job runner's last run older than this: not ready
    READY_OUTBOX_MAX_AGE_SECONDS = 900  # a due message still unsent after this: not ready
    READY_ECHO_BOT = True  # /readyz needs an echo bot connected (false where no bot runs by design)
    READY_BOT_MAX_AGE_SECONDS = 120  # with Redis: how long another process's "I hold the bot" stays believed
    # Reports (portal/reports): counts from 1 to REPORT_MIN_CELL - 1 are shown as "<N" (small-cell suppression).
    REPORT_MIN_CELL = 5
    # Housing intake (portal/intake, seed 001). SWA §36: the assessment of a person over 75 or on the highest
    # care allowance starts by the 7th working day; everyone's is due within the second figure (working days;
    # "without undue delay" — 30 leaves time for a decision meeting within the Act's three months).
    INTAKE_PRIORITY_START_WORKING_DAYS = 7
    INTAKE_ASSESSMENT_WORKING_DAYS = 30
    # The decision meeting (SAP): weekdays (0 = Monday), local start time and length in minutes.
    INTAKE_SAP_WEEKDAYS = (1, 3)
    INTAKE_SAP_TIME = "13:00"
    INTAKE_SAP_MINUTES = 90
    # The municipalities of the centralised housing intake (seed 001: the county's ten), as three-digit codes;
    # empty: every municipality one of the organisation's units serves.
    INTAKE_MUNICIPALITIES: tuple = ()
    INTAKE_DECISION_TEMPLATE_DIR = ""  # empty: portal/intake/decision_templates (fi/decision.txt, sv/decision.txt)
    INTAKE_ASSESSMENT_AREAS_DIR = ""  # empty: portal/intake/assessment_areas (fi.toml, sv.toml, en.toml)
    # Accounts (portal/auth): invitation and reset links, two-step verification (TOTP).
    INVITATION_DAYS = 7  # a staff invitation's activation link stays valid this long
    PASSWORD_RESET_MINUTES = 30  # a reset link stays valid this long, and works once
    PASSWORD_RESET_RATE_LIMIT = "5 per 15 minutes"  # reset requests, per address and per email typed
    PASSWORD_RESET_MIN_MS = 400  # a reset request answers no sooner: the same timing known or not
    # Staff with local passwords must use TOTP: empty means true when ENV=production, false otherwise.
    STAFF_TOTP_REQUIRED = ""
    TOTP_ISSUER = "Silta"  # the name authenticator apps show
    TOTP_RATE_LIMIT = "5 per minute;20 per hour"  # wrong codes, per account (delays, never locks out)
    TOTP_KEY = ""  # encrypts TOTP secrets at rest; empty: derived from the secret key
    # Clients (portal/people): the server key of the identity-code hash (required in production; the embedded
    # default keeps a generated one in instance/identity_hash_key — losing it unbinds every code, see README),
    # and how long a client's activation code (SMS, email or a printed letter) stays valid.
    # The FHIR API's clients (portal/smart, SMART on FHIR): how long access tokens live — a backend service's
    # (client credentials) and a user-facing app's (authorization code) — and how long a key set fetched from a
    # client's JWKS URL is trusted before it is fetched again. Bulk export files are kept this many hours.
    API_TOKEN_MINUTES = 5
    API_USER_TOKEN_MINUTES = 60
    API_JWKS_CACHE_MINUTES = 10
    BULK_EXPORT_HOURS = 24
    IDENTITY_HASH_KEY = ""
    CLIENT_ACTIVATION_DAYS = 14
    # Reach a human (portal/reach): the crisis box's lines after 112, in the organisation's own words per
    # language (JSON list; see portal/reach/crisis.py). Add the local social and crisis emergency service.
    CRISIS_LINES: list = [
        {"name": {"fi": "MIELI ry:n kriisipuhelin", "sv": "MIELI rf:s kristelefon", "en": "MIELI Crisis Helpline"},
         "phone": "09 2525 0111",
         "note": {"fi": "Päivystää ympäri vuorokauden.",
                  "sv": "Jour dygnet runt på finska. På svenska: 09 2525 0112 (tiderna på mieli.fi).",
                  "en": "Day and night, in Finnish. In English: 09 2525 0116 (hours at mieli.fi)."}},
        {"name": {"fi": "Sekasin-chat nuorille", "sv": "Sekasin-chatten för unga",
                  "en": "Sekasin chat for young people"},
         "url": "https://sekasin.fi",
         "note": {"fi": "Alle 30-vuotiaille. Voit kirjoittaa nimettömänä.",
                  "sv": "För dig under 30 år. Du kan skriva anonymt.",
                  "en": "For people under 30. You can write without giving your name."}},
    ]
    # Questionnaires by link (portal/measures/links.py): how long a link works, and when its one reminder goes.
    QUESTIONNAIRE_LINK_DAYS = 4
    QUESTIONNAIRE_LINK_REMINDER_DAYS = 2


_BOOL = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(current, raw: str):
    """Parse an environment string into the type of the default it overrides."""
    if isinstance(current, bool):
        if raw.lower() not in _BOOL:
            raise ConfigError(f"expected a boolean, got {raw!r}")
        return _BOOL[raw.lower()]
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, tuple) and not raw.lstrip().startswith("["):
        return tuple(part.strip() for part in raw.split(",") if part.strip())  # a comma-separated list
    if isinstance(current, (dict, list, tuple)):
        return json.loads(raw)
    return raw


def load(overrides: dict | None = None) -> dict:
    """Build the configuration: defaults, then ``PORTAL_<KEY>`` variables, then explicit overrides."""
    config = {k: v for k, v in vars(Defaults).items() if k.isupper()}
    for key, current in list(config.items()):
        raw = os.environ.get(f"PORTAL_{key}")
        if raw is not None:
            try:
                config[key] = _coerce(current, raw)
            except (ValueError, ConfigError) as exc:
                raise ConfigError(f"PORTAL_{key}: {exc}") from None
    if os.environ.get("PORTAL_DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["PORTAL_DATABASE_URL"]
    config["SECRET_KEY"] = os.environ.get("PORTAL_SECRET_KEY", "")
    config.update(overrides or {})
    config["PUBLIC_BASE_URL"] = config["PUBLIC_BASE_URL"] or served_address()
    _finish(config)
    return config


def served_address() -> str:
    """Where `python -m portal` listens (PORTAL_HOST, PORTAL_PORT), as a link's base: a wildcard host
    (0.0.0.0, ::) is reached on the loopback address."""
    host = os.environ.get("PORTAL_HOST", "127.0.0.1").strip() or "127.0.0.1"
    host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{os.environ.get('PORTAL_PORT', '5000').strip() or '5000'}"


def _finish(config: dict) -> None:
    if config["ENV"] == "production":
        if not config["SECRET_KEY"] or len(config["SECRET_KEY"]) < 32:
            raise ConfigError("PORTAL_SECRET_KEY must be set (32+ characters) when PORTAL_ENV=production")
        config["SESSION_COOKIE_SECURE"] = True
        config["SEED_DEMO_ON_START"] = False
    elif not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret()
    if not config["IDENTITY_HASH_KEY"]:
        if config["ENV"] == "production":
            raise ConfigError("PORTAL_IDENTITY_HASH_KEY must be set when PORTAL_ENV=production (keep it safe: "
                              "without it no stored identity code matches a Suomi.fi login)")
        config["IDENTITY_HASH_KEY"] = _instance_secret("identity_hash_key")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        INSTANCE.mkdir(parents=True, exist_ok=True)
    if config["IDLE_TIMEOUT_MINUTES"] < 1 or config["SESSION_MAX_HOURS"] < 1:
        raise ConfigError("PORTAL_IDLE_TIMEOUT_MINUTES and PORTAL_SESSION_MAX_HOURS must be at least 1")
    _check_limits(config, "LOGIN_RATE_LIMIT", "LOGIN_ACCOUNT_LIMIT")
    # The server ends an idle session (auth_sessions.last_seen_at); the cookie only needs to outlive the
    # session's absolute lifetime. So it is not re-signed and re-sent on every response (Flask's default
    # refresh), which cost every page a signature and a Set-Cookie header.
    config["PERMANENT_SESSION_LIFETIME"] = config["SESSION_MAX_HOURS"] * 3600
    config["SESSION_REFRESH_EACH_REQUEST"] = False
    config["STAFF_TOTP_REQUIRED"] = _by_environment(config["STAFF_TOTP_REQUIRED"], config["ENV"] == "production")


def _check_limits(config: dict, *keys: str) -> None:
    """Rate limits are parsed at start-up, so a typo stops the start instead of every sign-in."""
    from limits import parse_many

    for key in keys:
        try:
            if not parse_many(config[key]):
                raise ValueError("empty")
        except ValueError:
            raise ConfigError(f"PORTAL_{key}: expected limits such as '10 per 5 minutes;20 per day'") from None


def _by_environment(value, production: bool) -> bool:
    """A boolean whose empty default follows the environment (on in production, off in the embedded default)."""
    if isinstance(value, bool):
        return value
    if not value:
        return production
    if value.lower() not in _BOOL:
        raise ConfigError(f"expected a boolean, got {value!r}")
    return _BOOL[value.lower()]


def _instance_secret(name: str = "secret_key") -> str:
    """A per-installation random key for the embedded default, created once (never a fallback string)."""
    path = INSTANCE / name
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
