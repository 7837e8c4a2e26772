"""The open answers of confidential client feedback (seeds 000, 002), for the team lead: texts without names.

The answers are the client's frank word about the service, so they never reach the client's own worker
(measures.permissions). The team lead reads the written comments of the units they lead, without names, client
numbers or days (the month only), and only when at least the reports' minimum cell of clients answered in the
selection: with fewer, a comment could be told apart by whose it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from portal.extensions import db
from portal.measures import instruments
from portal.measures.definitions_schema import ItemType
from portal.measures.models import Answer
from portal.programmes import registry
from portal.reports.figures.common import submitted_answers
from portal.reports.queries import Filters


@dataclass(frozen=True)
class OpenAnswers:
    respondents: int  # clients who answered a confidential form in the selection
    comments: list[tuple[str, str]]  # (month as YYYY-MM, text), oldest first; empty when suppressed
    suppressed: bool


def confidential_forms(programme: str) -> list[str]:
    definition = registry.definition(programme)
    forms = dict.fromkeys(f.form for f in definition.feedback) if definition else {}
    return [code for code in forms if instruments.is_confidential(code)]


def open_answers(programme: str, filters: Filters, minimum: int) -> OpenAnswers:
    texts: list[tuple[str, str]] = []
    respondents = 0
    for code in confidential_forms(programme):
        loaded = instruments.current(code)
        items = [i.code for i in loaded.definition.items if i.type is ItemType.TEXT]
        respondents += db.session.scalar(
            submitted_answers([func.count(func.distinct(Answer.client_id))], code, filters, programme)) or 0
        rows = db.session.execute(submitted_answers([Answer.answered_on, Answer.values], code, filters, programme))
        for answered_on, values in rows:
            texts += [(f"{answered_on:%Y-%m}", text.strip()) for item in items
                      if isinstance(text := (values or {}).get(item), str) and text.strip()]
    if respondents < minimum:
        return OpenAnswers(respondents, [], bool(texts))
    return OpenAnswers(respondents, sorted(texts), False)
