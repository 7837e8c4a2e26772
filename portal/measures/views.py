"""What each measures page shows, gathered from the queries (pages only display what they are given)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from flask import current_app, url_for
from flask_babel import get_locale

from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _, local_decimal
from portal.me.queries import enrolments_of
from portal.measures import fit, instruments, permissions, queries, scoring
from portal.measures.labels import ALERTS
from portal.measures.models import Answer
from portal.people.models import Client
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment
from portal.scheduling.timeutil import local_date
from portal.web.templating import long_datetime

NOON = time(12)  # a paper answer's date becomes midday Helsinki time


@dataclass(frozen=True)
class FitView:
    points: list[fit.Point]
    chart: fit.Chart
    cutoff: float | None
    reliable: float | None
    threshold: float | None
    alerts: list[str]
    trend: str | None  # scoring.Change of the latest ORS against the first


def fit_view(enrolment: Enrolment, client: Client) -> FitView | None:
    ors, srs = instruments.current("ors"), instruments.current("srs")
    points = queries.fit_points(enrolment.id)
    if not points or ors is None:
        return None
    s = ors.definition.scoring
    age = local_date(utcnow()).year - client.birth_year
    cutoff = scoring.cutoff(ors.definition, age)
    threshold = srs.definition.scoring.alliance_threshold if srs else None
    after = current_app.config.get("MEASURES_NO_IMPROVEMENT_AFTER", fit.DEFAULT_NO_IMPROVEMENT_AFTER)
    found = fit.alerts(points, s.reliable_change or 5, threshold or 36, after)
    ors_totals = [p.ors for p in points if p.ors is not None]
    trend = (scoring.reliable_change(ors_totals[0], ors_totals[-1], s.reliable_change or 5)
             if len(ors_totals) >= 2 else None)
    return FitView(points, fit.chart(points, cutoff, s.reliable_change), cutoff, s.reliable_change, threshold,
                   [str(ALERTS[a.code]) % a.params for a in found], trend)


def client_results(client: Client, locale: str) -> dict:
    enrolments = client_enrolments(client)
    sections = []
    for enrolment in enrolments:
        graph = fit_view(enrolment, client) if queries.client_sees_fit_graph(enrolment.id) else None
        comparison = queries.tenx_comparison(enrolment.id, locale)
        if graph or comparison:
            sections.append({"enrolment": enrolment, "fit": graph, "tenx": comparison})
    return {"client": client, "due": queries.due_for_client(client), "sections": sections}


def client_enrolments(client: Client) -> list[Enrolment]:
    return enrolments_of(client)


def answered(answer: Answer) -> dict:
    definition = answer.instrument.parsed
    rows = [(item, answer.values.get(item.code), scoring.band(definition, answer.values.get(item.code))
             if item.scored else None) for item in definition.items]
    return {"definition": definition, "rows": rows}


def worker_overview(enrolment: Enrolment, locale: str, user) -> dict:
    now = utcnow()
    # Confidential feedback about the service is not the worker's to read or enter (only the reports count it).
    answers = [a for a in queries.submitted_answers(enrolment.id) if permissions.worker_may_handle(a.instrument_code)]
    answered_keys = {(a.instrument_code, a.occurrence) for a in answers}
    missing = [o for o in queries.occurrences(enrolment, now, open_only=False)
               if (o.instrument, o.key) not in answered_keys and o.opens_at <= now
               and permissions.worker_may_handle(o.instrument)]
    return {
        "client": enrolment.client,
        "fit": fit_view(enrolment, enrolment.client),
        "tenx": queries.tenx_comparison(enrolment.id, locale),
        "answers": list(reversed(answers)),
        "missing": list(reversed(missing)),
        "client_sees_graph": queries.client_sees_fit_graph(enrolment.id),
        "report_url": programme_report_url(user, enrolment.programme_code),
    }


def programme_report_url(user, programme_code: str) -> str | None:
    """The programme's figures (share satisfied, 3X10D change against the target) live in reports: a link
    there for those who may read it, so the KPIs are computed in one place only."""
    from portal.reports.permissions import can_view

    if "reports.show" not in current_app.view_functions or not can_view(user, programme_code):
        return None
    return url_for("reports.show", programme=programme_code)


def instrument_name(code: str) -> str:
    loaded = instruments.current(code)
    return loaded.definition.name.get(str(get_locale())) if loaded else code


def meeting_time(occurrence) -> str | None:
    """The meeting's start, spelled out, for an occurrence tied to an appointment."""
    if occurrence.appointment_id is None:
        return None
    appointment = db.session.get(Appointment, occurrence.appointment_id)
    return long_datetime(appointment.starts_at) if appointment else None


def _trend_text(view: FitView) -> str:
    return {scoring.Change.IMPROVED: _("a reliable improvement"), scoring.Change.WORSENED: _("a reliable worsening"),
            scoring.Change.NO_RELIABLE_CHANGE: _("no reliable change")}.get(view.trend, "")


def _fmt(value: float) -> str:
    return local_decimal(value)  # "19,9" in Finnish and Swedish, as the Reports write it


def fit_summary(view: FitView) -> str:
    """The graph's text alternative for the worker: the figures a sighted reader takes from it."""
    ors = [p.ors for p in view.points if p.ors is not None]
    srs = [p.srs for p in view.points if p.srs is not None]
    parts = [_("Meetings: %(count)s.", count=len(view.points))]
    if ors:
        parts.append(_("ORS first %(first)s, latest %(latest)s.", first=_fmt(ors[0]), latest=_fmt(ors[-1])))
    if view.trend:
        parts.append(_("Change since the first meeting: %(trend)s.", trend=_trend_text(view)))
    if view.cutoff is not None and ors:
        above = ors[-1] > view.cutoff
        parts.append(_("The latest ORS is above the clinical cutoff %(cutoff)s.", cutoff=_fmt(view.cutoff)) if above
                     else _("The latest ORS is at or below the clinical cutoff %(cutoff)s.", cutoff=_fmt(view.cutoff)))
    if srs:
        parts.append(_("SRS latest %(latest)s.", latest=_fmt(srs[-1])))
    return " ".join(parts)


def fit_plain(view: FitView) -> str:
    """The client's own reading, in plain language."""
    ors = [p.ors for p in view.points if p.ors is not None]
    if len(ors) < 2:
        return _("You have answered once so far. The line grows as you answer before each meeting.")
    if view.trend == scoring.Change.IMPROVED:
        return _("Your answers show that things have clearly got better since your first meeting.")
    if view.trend == scoring.Change.WORSENED:
        return _("Your answers show that things have been harder lately. "
                 "It is good to talk about this with your worker.")
    return _("Your answers have stayed about the same since your first meeting.")


def alerts_of(enrolment: Enrolment) -> list[str]:
    """The FIT alerts of an enrolment, for the worker's client page (empty without FIT answers)."""
    view = fit_view(enrolment, enrolment.client)
    return view.alerts if view else []
