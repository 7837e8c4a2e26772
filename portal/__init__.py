"""Silta: the client portal and its staff side. ``create_app`` builds the Flask application."""

from __future__ import annotations

import logging

from flask import Flask
from flask_babel import get_locale

from portal import config as config_module
from portal.config import ASSETS, MIGRATIONS

log = logging.getLogger(__name__)


def create_app(overrides: dict | None = None) -> Flask:
    """Configuration → extensions → programme definitions → blueprints, in one explicit order.

    The app is Flask with its built URLs remembered (portal/web/urls.py)."""
    from portal.web.urls import Silta

    app = Silta(
        __name__,
        template_folder=str(ASSETS / "templates"),
        static_folder=str(ASSETS / "static"),
        instance_path=str(config_module.INSTANCE),
    )
    app.config.from_mapping(config_module.load(overrides))
    from portal.web import converters

    converters.init_app(app)  # before any rule is added: every <int:…> is a bounded id
    _init_ops(app)
    _init_extensions(app)
    from portal.programmes import registry

    registry.init_app(app)
    _init_web(app)
    _register_blueprints(app)
    from portal import cli

    cli.init_app(app)
    return app


def _init_ops(app: Flask) -> None:
    """First, so the request id and the clock start before any other hook can refuse a request."""
    from portal.ops import heartbeat, logs, metrics

    logs.init_app(app)
    metrics.init_app(app)
    heartbeat.init_app(app)


def _init_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (every table known before migrations or queries)
    from portal.auth import oidc, session
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
    from portal.i18n import TRANSLATIONS, ensure_catalogs, select_locale
    from portal.notifications import jobs as notification_jobs

    db.init_app(app)
    _tune_database(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    ensure_catalogs()  # under gunicorn nothing else compiles them; `silta prepare` normally has
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    if app.config["REDIS_URL"]:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    limiter.init_app(app)
    login_manager.init_app(app)
    session.init_app(app)
    oidc.init_app(app)
    notification_jobs.init_app(app)
    from portal.scheduling import subscribers as scheduling_subscribers

    scheduling_subscribers.connect()  # a service that ends cancels its coming appointments
    from portal.tasks import subscribers as task_subscribers

    task_subscribers.connect()  # clients' requests become tasks for their contact person
    from portal.smart import access as smart_access
    from portal.smart import server as smart_server

    smart_server.init_app(app)  # SMART on FHIR: authlib's authorisation server
    smart_access.init_app(app)  # bearer tokens on /fhir/ (the FHIR facade's reader)
    from portal.video import signaling

    signaling.init_app(app)  # video signaling (Socket.IO /rtc), one server per app
    from portal.messages import live

    live.init_app(app)  # live message delivery (Socket.IO /live) on the same server
    # flask-babel 4 does not put get_locale into Jinja's globals.
    app.jinja_env.globals["get_locale"] = get_locale


def _tune_database(app: Flask) -> None:
    """The embedded default's SQLite: write-ahead log, and write transactions that take the lock up front and
    wait their turn (portal/sqlite.py). PostgreSQL, the production database: under the production server's
    gevent workers, a cheaper cooperative wait for each round trip (portal/postgres.py)."""
    from portal.extensions import db

    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            from portal import sqlite

            sqlite.configure(db.engine)
        else:
            from portal import postgres

            postgres.configure(db.engine)


def _init_web(app: Flask) -> None:
    from portal.web import errors, inputs, policy, proxy, security, templating, transactions

    proxy.init_app(app)  # first: every later hook sees the client's address and scheme
    errors.init_app(app)
    inputs.init_app(app)  # malformed JSON bodies and page numbers: 400/404 before any view
    security.init_app(app)
    policy.init_app(app)  # Permissions-Policy: camera and microphone only where a feature asks for them
    transactions.init_app(app)
    templating.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """Each feature's routes module adds its views to the blueprint its package defines."""
    from portal.admin import routes as admin
    from portal.appointments import routes as appointments
    from portal.audit import routes as audit
    from portal.auth import routes as auth
    from portal.bulk import routes as bulk
    from portal.caseload import routes as caseload
    from portal.core import routes as core
    from portal.drafts import routes as drafts
    from portal.groups import routes as groups
    from portal.intake import routes as intake
    from portal.interop import routes as interop
    from portal.me import routes as me
    from portal.measures import routes as measures
    from portal.meetings import routes as meetings
    from portal.messages import routes as messages
    from portal.network import routes as network
    from portal.notifications import routes as notifications
    from portal.ops import routes as ops
    from portal.people import routes as people
    from portal.plans import routes as plans
    from portal.programmes import routes as programmes
    from portal.queues import routes as queues
    from portal.reach import routes as reach
    from portal.referrals import routes as referrals
    from portal.reports import routes as reports
    from portal.scheduling import routes as scheduling
    from portal.smart import routes as smart
    from portal.tasks import routes as tasks
    from portal.video import routes as video

    for module in (core, auth, me, caseload, scheduling, groups, meetings, appointments, notifications, interop, audit,
                   admin, video, measures, plans, programmes, messages, intake, queues, referrals, reports, ops,
                   people, network, reach, tasks, smart, bulk, drafts):
        app.register_blueprint(module.bp)
