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
- Search: ``QuestionnaireResponse?subject=Patient/<id>`` (or ``patient=``), and ``Questionnaire`` with no
  parameters. Reads of responses are audited like the rest of the API.
"""

from __future__ import annotations

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import abort, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from portal.audit.operations import record_read
from portal.extensions import db
from portal.interop import bp, fhir, permissions
from portal.interop.routes import NotSupported, _get, _json, _signed_in
from portal.measures.definitions_schema import InstrumentDefinition, Item, ItemType
from portal.measures.instruments import is_confidential
from portal.measures.models import Answer, AnswerSource, InstrumentVersion
from portal.measures.queries import answers_of_client, instrument_versions
from portal.people.models import Client

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_TYPES = {ItemType.LINE: "decimal", ItemType.CHOICE: "integer", ItemType.YES_NO: "boolean",
              ItemType.TEXT: "text"}
ANSWER_KEYS = {ItemType.LINE: "valueDecimal", ItemType.CHOICE: "valueInteger", ItemType.YES_NO: "valueBoolean",
               ItemType.TEXT: "valueString"}


def canonical(code: str) -> str:
    return f"{fhir.canonical_base()}/Questionnaire/{code}"


def questionnaire(row: InstrumentVersion, newest: bool) -> Questionnaire:
    definition, locale = row.parsed, str(get_locale())
    return Questionnaire(
        id=str(row.id), url=canonical(row.code), version=str(row.version),
        name="".join(part.capitalize() for part in row.code.replace("-", " ").split()) or "Instrument",
        title=definition.name.get(locale), status="active" if newest else "retired",
        copyright=definition.notice.get(locale), description=definition.instructions.get(locale),
        item=[_item(i, locale) for i in definition.items],
    )


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
    )


def _newest_versions() -> dict[str, int]:
    return dict(db.session.execute(select(InstrumentVersion.code, func.max(InstrumentVersion.version))
                                   .group_by(InstrumentVersion.code)).all())


@bp.route("/Questionnaire/<resource_id>")
def questionnaire_read(resource_id: str):
    _signed_in()
    row = _get(InstrumentVersion, resource_id)
    return _json(questionnaire(row, _newest_versions().get(row.code) == row.version))


@bp.route("/Questionnaire")
def questionnaire_search():
    _signed_in()
    if set(request.args) - {"_format"}:
        raise NotSupported("Questionnaire search takes no parameters: every instrument version is returned.")
    newest = _newest_versions()
    entries = [(url_for("interop.questionnaire_read", resource_id=row.id, _external=True),
                questionnaire(row, newest.get(row.code) == row.version)) for row in instrument_versions()]
    return _json(fhir.searchset(request.url, entries))


@bp.route("/QuestionnaireResponse/<resource_id>")
def questionnaire_response(resource_id: str):
    _signed_in()
    answer = _get(Answer, resource_id)
    if not answer.submitted:
        abort(404)  # a draft is not a response yet
    if not permissions.may_read_client(current_user, answer.client_id):
        abort(403)
    if not _may_read_answer(answer):
        abort(403)
    record_read(current_user, "interop", "QuestionnaireResponse", answer.id, answer.client_id)
    return _json(response(answer))


@bp.route("/QuestionnaireResponse")
def questionnaire_response_search():
    _signed_in()
    client = _get(Client, _searched_subject())
    if not permissions.may_read_client(current_user, client.id):
        abort(403)
    entries = []
    for answer in answers_of_client(client.id):
        if not _may_read_answer(answer):
            continue
        record_read(current_user, "interop", "QuestionnaireResponse", answer.id, client.id)
        entries.append((url_for("interop.questionnaire_response", resource_id=answer.id, _external=True),
                        response(answer)))
    return _json(fhir.searchset(request.url, entries))


def _may_read_answer(answer: Answer) -> bool:
    """Confidential feedback about the service (seeds 000, 002) is the client's own: staff read it only as the
    reports' aggregates, so only the client reads it here."""
    if not is_confidential(answer.instrument_code):
        return True
    return db.session.scalar(select(Client.user_id).where(Client.id == answer.client_id)) == current_user.id


def _searched_subject() -> str:
    """The patient of a QuestionnaireResponse search; 400 for anything else."""
    args = request.args
    unknown = sorted(set(args) - {"subject", "patient", "_format"})
    if unknown:
        raise NotSupported(f"Unsupported search parameter(s): {', '.join(unknown)}. Use subject=Patient/<id>.")
    given = [value for name in ("subject", "patient") for value in args.getlist(name)]
    if len(given) != 1:
        raise NotSupported("Search by exactly one patient: subject=Patient/<id>.")
    value = given[0]
    if value.startswith("Patient/"):
        return value.removeprefix("Patient/")
    if "/" in value:
        raise NotSupported("Only Patient references are supported.")
    return value
