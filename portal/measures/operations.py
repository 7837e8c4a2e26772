"""Every state change of measures: drafts, submissions (idempotent), worker entries, audited corrections.

Each takes the acting user, writes the audit record (feature "measures") and flushes; the request
commits once. Refusals raise ``MeasureRefused`` with a message key (``labels.ERRORS``) and per-item
errors, and change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.measures import instruments, scoring
from portal.measures.models import (
    Answer,
    AnswerSource,
    AnswerStatus,
    Correction,
    InstrumentVersion,
    MeasureSettings,
)
from portal.measures.schedule import Occurrence
from portal.programmes.models import Enrolment

FEATURE = "measures"
REASON_LIMIT = 500


class MeasureRefused(Exception):
    def __init__(self, key: str, item_errors: dict[str, str] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.item_errors = item_errors or {}

    def __str__(self) -> str:
        from portal.measures.labels import ERRORS

        return str(ERRORS[self.key])


class InstrumentChangedWithoutNewVersion(RuntimeError):
    """A definition file was edited but kept its version number: answers would change meaning."""


def instrument_version(code: str) -> InstrumentVersion:
    """The database row of the newest installed version of ``code``, made on first use."""
    loaded = instruments.current(code)
    if loaded is None:
        raise MeasureRefused("unknown")
    definition = loaded.definition
    row = db.session.scalar(select(InstrumentVersion).where(
        InstrumentVersion.code == code, InstrumentVersion.version == definition.version))
    if row is None:
        row = InstrumentVersion(code=code, version=definition.version, checksum=loaded.checksum,
                                definition=definition.model_dump(mode="json"))
        db.session.add(row)
        db.session.flush()
    elif row.definition != definition.model_dump(mode="json"):
        raise InstrumentChangedWithoutNewVersion(
            f"instrument {code} version {definition.version} was edited: give the file a new version")
    return row


def version_for(enrolment: Enrolment, occurrence: Occurrence) -> InstrumentVersion:
    """The version an occurrence is answered on: its draft's if one exists, else the newest."""
    answer = _answer(enrolment, occurrence)
    return answer.instrument if answer is not None else instrument_version(occurrence.instrument)


def save_draft(actor: User, enrolment: Enrolment, occurrence: Occurrence, version_id: int,
               raw: Mapping[str, str], _retry: bool = True) -> Answer:
    """Keep what the client has answered so far (valid values only); a submitted answer is left alone."""
    answer = _answer(enrolment, occurrence)
    if answer is not None and answer.submitted:
        raise MeasureRefused("already")
    version = _checked_version(enrolment, occurrence, answer, version_id)
    parsed = scoring.parse(version.parsed, raw, complete=False)
    if answer is None:
        answer = _new_answer(enrolment, occurrence, version)
        if answer is None:  # another request (a second tab, the submit) made the row at the same moment
            if not _retry:
                raise MeasureRefused("already")
            return save_draft(actor, enrolment, occurrence, version_id, raw, _retry=False)
        # Only the draft's creation is audited: autosave updates the client's own draft every few seconds.
        record(actor, AuditAction.CREATE, FEATURE, "answer_draft", answer.id, enrolment.client_id,
               {"instrument": occurrence.instrument})
    answer.values = parsed.values
    db.session.flush()
    return answer


def submit(actor: User, enrolment: Enrolment, occurrence: Occurrence, version_id: int, raw: Mapping[str, str],
           token: str | None, source: AnswerSource = AnswerSource.CLIENT,
           answered_on: datetime | None = None, _retry: bool = True) -> Answer:
    """Submit an answer once. The same form sent again (same token) returns the same answer."""
    if source is not AnswerSource.CLIENT and instruments.is_confidential(occurrence.instrument):
        raise MeasureRefused("confidential")  # only the client answers feedback about the service
    answer = _answer(enrolment, occurrence)
    if answer is not None and answer.submitted:
        if token and answer.submission_token == token:
            return answer
        raise MeasureRefused("already")
    version = _checked_version(enrolment, occurrence, answer, version_id)
    definition = version.parsed
    parsed = scoring.parse(definition, raw, complete=True)
    if parsed.errors:
        raise MeasureRefused("invalid", parsed.errors)
    answer = answer or _new_answer(enrolment, occurrence, version)
    if answer is None:  # made at the same moment by another request (a double click, the autosave): look again
        if not _retry:
            raise MeasureRefused("already")
        return submit(actor, enrolment, occurrence, version_id, raw, token, source, answered_on, _retry=False)
    now = utcnow()
    answer.values, answer.total = parsed.values, scoring.total(definition, parsed.values)
    answer.status, answer.source, answer.submitted_at = AnswerStatus.SUBMITTED, source, now
    answer.submission_token, answer.entered_by_id = (token or "")[:64] or None, actor.id
    answer.answered_on = answered_on or now
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "answer", answer.id, enrolment.client_id,
           {"instrument": occurrence.instrument, "source": source.value})
    return answer


def correct(actor: User, answer: Answer, raw: Mapping[str, str], reason: str | None) -> Correction:
    """Change a submitted answer, keeping who, when, why and the values before (never silently)."""
    if not answer.submitted:
        raise MeasureRefused("not_submitted")
    if instruments.is_confidential(answer.instrument_code):
        raise MeasureRefused("confidential")
    reason = (reason or "").strip()[:REASON_LIMIT]
    definition = answer.instrument.parsed
    parsed = scoring.parse(definition, raw, complete=True)
    errors = dict(parsed.errors)
    if not reason:
        errors["reason"] = "reason"
    if errors:
        raise MeasureRefused("invalid", errors)
    correction = Correction(answer=answer, corrected_by_id=actor.id, reason=reason,
                            previous_values=dict(answer.values), previous_total=answer.total)
    db.session.add(correction)
    changed = sorted(code for code in {*answer.values, *parsed.values}
                     if answer.values.get(code) != parsed.values.get(code))
    answer.values, answer.total = parsed.values, scoring.total(definition, parsed.values)
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "answer", answer.id, answer.client_id,
           {"fields": changed, "correction": correction.id})
    return correction


def set_client_sees_fit_graph(actor: User, enrolment: Enrolment, visible: bool) -> None:
    """The worker decides whether the client sees their own FIT graph."""
    settings = db.session.get(MeasureSettings, enrolment.id) or MeasureSettings(enrolment_id=enrolment.id)
    settings.client_sees_fit_graph, settings.updated_by_id = visible, actor.id
    db.session.add(settings)
    db.session.flush()
    record(actor, AuditAction.UPDATE, FEATURE, "settings", enrolment.id, enrolment.client_id,
           {"fields": ["client_sees_fit_graph"]})


def _answer(enrolment: Enrolment, occurrence: Occurrence) -> Answer | None:
    return db.session.scalar(select(Answer).where(
        Answer.enrolment_id == enrolment.id, Answer.instrument_code == occurrence.instrument,
        Answer.occurrence == occurrence.key))


def _checked_version(enrolment: Enrolment, occurrence: Occurrence, answer: Answer | None,
                     version_id: int) -> InstrumentVersion:
    """The form's instrument version must be the one this occurrence is answered on (no forged ones)."""
    expected = answer.instrument if answer is not None else instrument_version(occurrence.instrument)
    if version_id != expected.id:
        raise MeasureRefused("version")
    return expected


def _new_answer(enrolment: Enrolment, occurrence: Occurrence, version: InstrumentVersion) -> Answer | None:
    """Insert the occurrence's row, or None when the unique constraint says another request just did."""
    answer = Answer(enrolment_id=enrolment.id, client_id=enrolment.client_id, instrument=version,
                    instrument_code=occurrence.instrument, occurrence=occurrence.key,
                    appointment_id=occurrence.appointment_id, values={})
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:
        return None
    return answer
