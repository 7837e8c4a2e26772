"""Bulk export's state changes: kick-off, the run (in the job runner), cancel, and expiry of old files.

The run writes one NDJSON file per resource type under ``<instance>/bulk/<export id>/`` and the export's row
says what it wrote; the files are deleted with the row when the export expires (``BULK_EXPORT_HOURS``) or
is cancelled. Each client whose data went out gets an audit record naming the client application.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from portal import signals
from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.bulk import queries
from portal.bulk.models import BulkExport, ExportStatus
from portal.db import utcnow
from portal.extensions import db
from portal.interop import fhir
from portal.smart.models import ApiClient

log = logging.getLogger(__name__)

TYPES = ("Patient", "Appointment", "QuestionnaireResponse")


def folder(export_id: str) -> Path:
    return Path(current_app.instance_path) / "bulk" / export_id


def kick_off(api_client_id: int, unit_id: int | None, types: list[str], since: datetime | None,
             request_url: str) -> BulkExport:
    """A queued export (added, not committed); the job runner is asked to start it after the commit."""
    from portal.notifications.jobs import request_delivery

    export = BulkExport(id=secrets.token_hex(16), api_client_id=api_client_id, unit_id=unit_id, types=types,
                        since=since, request_url=request_url[:2000], progress="queued",
                        expires_at=utcnow() + timedelta(hours=current_app.config["BULK_EXPORT_HOURS"]))
    db.session.add(export)
    request_delivery()
    return export


def cancel(export: BulkExport) -> None:
    """DELETE on the status URL: the export and its files go (a run in progress finds its row gone and stops)."""
    shutil.rmtree(folder(export.id), ignore_errors=True)
    db.session.delete(export)


def run(export: BulkExport) -> None:
    """Write the export's files and its manifest data; commits as it goes, so the status URL sees progress."""
    export.status, export.progress = ExportStatus.RUNNING, "started"
    db.session.commit()
    ids = queries.client_ids(export)
    target = folder(export.id)
    target.mkdir(parents=True, exist_ok=True)
    output = []
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for number, resource_type in enumerate(export.types, start=1):
            count = _write(target / f"{resource_type}.ndjson", _resources(resource_type, ids, export.since))
            output.append({"type": resource_type, "count": count})
            if db.session.get(BulkExport, export.id) is None:
                shutil.rmtree(target, ignore_errors=True)  # cancelled meanwhile
                return
            export.progress = f"{number}/{len(export.types)} resource types"
            db.session.commit()
    application = db.session.get(ApiClient, export.api_client_id).name
    for client_id in ids:
        record(None, AuditAction.EXPORT, "interop", "export", export.id, client_id, detail={"application": application})
    export.status, export.output, export.finished_at = ExportStatus.DONE, output, utcnow()
    export.progress = "done"
    db.session.commit()


def _resources(resource_type: str, ids: list[int], since: datetime | None) -> Iterable:
    if resource_type == "Patient":
        return (fhir.patient(c) for c in queries.patients(ids))
    if resource_type == "Appointment":
        readable = set(ids)
        return (fhir.appointment(a, readable) for a in queries.appointments(ids, since))
    from portal.interop.questionnaires import response  # the facade's module, loaded with its routes

    return (response(a) for a in queries.answers(ids, since))


def _write(path: Path, resources: Iterable) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for resource in resources:
            out.write(resource.model_dump_json())
            out.write("\n")
            count += 1
    return count


def run_due(now: datetime | None = None, runner: Callable[[BulkExport], None] = run) -> int:
    """Start the queued exports (oldest first) and delete the expired ones; returns how many ran."""
    now = now or utcnow()
    for old in db.session.scalars(select(BulkExport).where(BulkExport.expires_at <= now)):
        cancel(old)
    db.session.commit()
    ran = 0
    for export_id in db.session.scalars(select(BulkExport.id).where(BulkExport.status == ExportStatus.QUEUED)
                                        .order_by(BulkExport.requested_at)).all():
        export = db.session.get(BulkExport, export_id)
        try:
            runner(export)
            ran += 1
        except Exception as exc:  # noqa: BLE001 - one export's failure must not stop the other jobs
            db.session.rollback()
            log.error("bulk export failed (%s)", type(exc).__name__)
            _fail(export_id, type(exc).__name__)
    return ran


def _fail(export_id: str, reason: str) -> None:
    export = db.session.get(BulkExport, export_id)
    if export is not None:
        export.status, export.error, export.progress = ExportStatus.FAILED, reason, "failed"
        db.session.commit()


@signals.jobs_due.connect
def _export_job(_app, now: datetime | None = None, **_extra) -> None:
    run_due(now)
