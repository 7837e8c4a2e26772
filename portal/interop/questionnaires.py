"""FHIR R4 Questionnaire (every instrument version) and QuestionnaireResponse (every submitted answer).

- ``Questionnaire/<id>``: one instrument version; canonical ``{base}/Questionnaire/<code>`` with
  ``version``; the newest version is ``active``, older ones ``retired``. Items: a visual-analogue line is
  ``decimal`` with the minValue/maxValue extensions, a 0–10 choice ``integer``, yes/no ``boolean``, open
  text ``text``. The licence notice is ``copyright``. No client data: any signed-in user may read them.
- ``QuestionnaireResponse/<id>``: a submitted answer (drafts are never served), ``completed`` or
  ``amended`` after an audited correction; ``questionnaire`` is ``<canonical>|<version>`` — the version it
  was given on. ``author`` is the client (answered in Silta) or the worker who entered it from paper or a
  phone call; ``source`` is always the client. Open-text answers are included: they are the client's
  own words to their worker, and the reader is someone who may read the client's record. Confidential
  feedback about the service (the satisfaction survey, written feedback) is served to the client only.
- Search: ``QuestionnaireResponse?subject=Patient/<id>`` (or ``patient=``, or the compartment
  ``Patient/<id>/QuestionnaireResponse``) with ``authored``, ``status`` and ``_lastUpdated``;
  ``Questionnaire`` by ``url`` and ``version`` (``url=<canonical>|<version>`` too, so a response's
  ``questionnaire`` resolves) and ``status``. Paging as in search.py. Reads of responses are audited like
  the rest of the API.
"""

from __future__ import annotations

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import abort, url_for
from flask_babel import get_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.interop import bp, fhir
from portal.interop.permissions import Reader, current_reader
from portal.interop.routes import bundle_response, get_row, read_response, readable_client
from portal.interop.search import NotSupported, Search, as_range, date_filter, reference_id
from portal.measures.definitions_schema import InstrumentDefinition, Item, ItemType
from portal.measures.instruments import is_confidential
from portal.measures.models import Answer, AnswerSource, InstrumentVersion
from portal.measures.queries import answers_of_client, instrument_versions

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_TYPES = {ItemType.LINE: "decimal", ItemType.CHOICE: "integer", ItemType.YES_NO: "boolean",
              ItemType.TEXT: "text"}
QUESTIONNAIRE_SEARCH = {"url": "uri", "version": "token", "status": "token"}
RESPONSE_SEARCH = {"subject": "reference", "patient": "reference", "authored": "date", "status": "token",
                   "_lastUpdated": "date"}
ANSWER_KEYS = {ItemType.LINE: "valueDecimal", ItemType.CHOICE: "valueInteger", ItemType.YES_NO: "valueBoolean",
               ItemType.TEXT: "valueString"}


def canonical(code: str) -> str:
    return f"{fhir.canonical_base()}/Questionnaire/{code}"


def questionnaire(row: InstrumentVersion, newest: bool) -> Questionnaire:
    definition, locale = row.parsed, str(get_locale())
    resource = Questionnaire(
        id=str(row.id), url=canonical(row.code), version=str(row.version),
        name="".join(part.capitalize() for part in row.code.replace("-", " ").split()) or "Instrument",
        title=definition.name.get(locale), status="active" if newest else "retired",
        copyright=definition.notice.get(locale), description=definition.instructions.get(locale),
        item=[_item(i, locale) for i in definition.items],
    )
    # Never changed once created, but its status (active → retired) and the reader's language change it.
    resource.meta = fhir.meta("Questionnaire", fhir.content_version(resource), row.created_at)
    return resource


def _item(item: Item, locale: str) -> dict:
    entry = {"linkId": item.code, "text": item.text.get(locale), "type": ITEM_TYPES[item.type],
             "required": item.required}
    if item.scored:
        key = ANSWER_KEYS[item.type]
        entry["extension"] = [{"url": MIN_VALUE, key: item.min}, {"url": MAX_VALUE, key: item.max}]
    return entry


def response(answer: Answer) -> QuestionnaireResponse:
    definition: InstrumentDefinition = answer.instrument.parsed
    author = (f"Patient/{answer.client_id}" if answer.source is AnswerSource.CLIENT or answer.entered_by_id is None
              else f"Practitioner/{answer.entered_by_id}")
    items = []
    for item in definition.items:
        value = answer.values.get(item.code)
        if value is None or value == "":
            continue
        items.append({"linkId": item.code, "answer": [{ANSWER_KEYS[item.type]: value}]})
    return QuestionnaireResponse(
        id=str(answer.id), questionnaire=f"{canonical(answer.instrument.code)}|{answer.instrument.version}",
        status="amended" if answer.corrections else "completed", subject={"reference": f"Patient/{answer.client_id}"},
        authored=answer.answered_on or answer.submitted_at, author={"reference": author},
        source={"reference": f"Patient/{answer.client_id}"}, item=items or None,
        meta=fhir.meta("QuestionnaireResponse", 1 + len(answer.corrections), answer.updated_at),
    )


def _newest_versions() -> dict[str, int]:
    return dict(db.session.execute(select(InstrumentVersion.code, func.max(InstrumentVersion.version))
                                   .group_by(InstrumentVersion.code)).all())


@bp.route("/Questionnaire/<resource_id>")
def questionnaire_read(resource_id: str):
    current_reader()
    row = get_row(InstrumentVersion, resource_id)
    return read_response(questionnaire(row, _newest_versions().get(row.code) == row.version))


@bp.route("/Questionnaire")
def questionnaire_search():
    current_reader()
    search = Search(QUESTIONNAIRE_SEARCH)
    url, version = search.one("url"), search.one("version")
    if url and "|" in url:  # a canonical with its version, as a QuestionnaireResponse names it
        url, version = url.split("|", 1)[0], version or url.split("|", 1)[1]
    statuses, newest = search.tokens("status"), _newest_versions()
    rows = [row for row in instrument_versions()
            if (url is None or canonical(row.code) == url) and (version is None or str(row.version) == version)
            and (statuses is None or _status(row, newest) in statuses)]
    rows.sort(key=lambda row: (row.code, row.version, row.id))
    entries = [(url_for("interop.questionnaire_read", resource_id=row.id, _external=True),
                questionnaire(row, newest.get(row.code) == row.version)) for row in search.page(rows)]
    return bundle_response(search.bundle(len(rows), entries))


def _status(row: InstrumentVersion, newest: dict[str, int]) -> str:
    return "active" if newest.get(row.code) == row.version else "retired"


@bp.route("/QuestionnaireResponse/<resource_id>")
def questionnaire_response(resource_id: str):
    reader = current_reader()
    answer = get_row(Answer, resource_id)
    if not answer.submitted:
        abort(404)  # a draft is not a response yet
    if not reader.may_read_client(answer.client_id) or not _may_read_answer(reader, answer):
        abort(403)
    reader.audit("QuestionnaireResponse", answer.id, answer.client_id)
    return read_response(response(answer))


@bp.route("/QuestionnaireResponse")
def questionnaire_response_search():
    return responses_of(None)


def responses_of(patient_id: str | None):
    """The QuestionnaireResponse search, in a patient's compartment when ``patient_id`` is given."""
    reader, search = current_reader(), Search(RESPONSE_SEARCH)
    given = reference_id(search.one("subject", "patient"), "Patient")
    if (given is None) == (patient_id is None):
        raise NotSupported("Search by exactly one patient: subject=Patient/<id>.")
    client = readable_client(reader, patient_id or given)
    statuses = search.tokens("status")
    authored = date_filter(search.dates("authored"), _authored)
    changed = date_filter(search.dates("_lastUpdated"), lambda answer: answer.updated_at)
    rows = [a for a in answers_of_client(client.id) if _may_read_answer(reader, a) and authored(a) and changed(a)
            and (statuses is None or _response_status(a) in statuses)]
    rows.sort(key=lambda a: (as_range(_authored(a))[0], a.id))
    entries = []
    for answer in search.page(rows):
        reader.audit("QuestionnaireResponse", answer.id, client.id)
        entries.append((url_for("interop.questionnaire_response", resource_id=answer.id, _external=True),
                        response(answer)))
    return bundle_response(search.bundle(len(rows), entries))


def _authored(answer: Answer):
    return answer.answered_on or answer.submitted_at


def _response_status(answer: Answer) -> str:
    return "amended" if answer.corrections else "completed"


def _may_read_answer(reader: Reader, answer: Answer) -> bool:
    """Confidential feedback about the service (seeds 000, 002) is the client's own: staff read it only as the
    reports' aggregates, so only the client reads it here."""
    if not is_confidential(answer.instrument_code):
        return True
    return reader.own_client_id() == answer.client_id
