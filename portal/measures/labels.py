"""Translated names for the measures feature: answer sources, form errors, occurrences, alerts."""

from __future__ import annotations

from portal.i18n import _, _l
from portal.measures.models import AnswerSource, AnswerStatus
from portal.web.labels import EnumLabels

LABELS = EnumLabels({
    AnswerSource.CLIENT: _l("Answered in Silta"),
    AnswerSource.PAPER: _l("Entered from paper"),
    AnswerSource.PHONE: _l("Given by phone"),
    AnswerStatus.DRAFT: _l("Draft"),
    AnswerStatus.SUBMITTED: _l("Submitted"),
})

# Item-level problems (scoring.parse) and whole-form refusals (operations.MeasureRefused).
ERRORS = {
    "invalid": _l("Please check the answers marked below."),
    "missing": _l("Please answer this question."),
    "number": _l("Please give a number."),
    "whole": _l("Please choose a whole number."),
    "range": _l("The value is outside the scale."),
    "choice": _l("Please choose yes or no."),
    "closed": _l("This questionnaire is not open for answers now."),
    "already": _l("You have already answered this questionnaire. Thank you!"),
    "version": _l("The questionnaire has changed since you opened it. Please check your answers and send again."),
    "not_yours": _l("This questionnaire is not yours."),
    "unknown": _l("There is no such questionnaire."),
    "reason": _l("Please write why the answer is corrected."),
    "not_submitted": _l("Only a submitted answer can be corrected."),
    "source": _l("Please choose how the answer was given."),
    "date": _l("Please give the date the answer was given, not in the future."),
    "confidential": _l("Feedback about the service is confidential: only the client answers it, and it is read "
                       "only in the programme's reports."),
}

ALERTS = {
    "ors_worse": _l("ORS has fallen by %(points)s points since the first meeting: a reliable worsening."),
    "ors_drop": _l("ORS fell by %(points)s points since the previous meeting."),
    "no_improvement": _l("No reliable improvement in ORS after %(meetings)s meetings."),
    "srs_low": _l("SRS %(total)s is at or below %(threshold)s: talk about the working alliance."),
    "srs_drop": _l("SRS fell from %(previous)s to %(total)s since the previous meeting."),
}


def occurrence_name(key: str, meeting_at: str | None = None) -> str:
    """A plain-language name for an occurrence key (see schedule.py)."""
    if key.startswith("appt-"):
        return _("Meeting on %(date)s", date=meeting_at) if meeting_at else _("Meeting")
    if key == "start":
        return _("At the start")
    if key == "end":
        return _("At the end")
    if key.startswith("month-"):
        return _("At %(months)s months", months=key.removeprefix("month-"))
    if key.startswith("year-"):
        return _("Yearly survey %(year)s", year=key.removeprefix("year-"))
    if key.startswith("period-"):
        year, quarter = key.removeprefix("period-").split("q")
        return _("Feedback period %(quarter)s/%(year)s", quarter=quarter, year=year)
    return key


def measure_error(key: str) -> str:
    return str(ERRORS.get(key, ERRORS["invalid"]))


def measure_label(value) -> str:
    return str(LABELS[value]) if value in LABELS else str(value)


def refused_message(refused) -> str:
    return measure_error(refused.key)
