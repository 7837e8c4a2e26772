"""CSV of a programme's answers for the worker's reporting: one row per scored item, numbers only.

Clients appear by their Silta number, never by name; open-text answers are left out (they are the
client's words to their worker, not figures). Excel reads UTF-8 with a byte-order mark and semicolons
as Finnish Excel expects; decimals keep the point.
"""

from __future__ import annotations

import csv
import io

from portal.measures.models import Answer

COLUMNS = ("client", "enrolment", "instrument", "version", "occurrence", "answered_on", "source", "total", "item",
           "value")


def answers_csv(answers: list[Answer]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for answer in answers:
        definition = answer.instrument.parsed
        common = (answer.client_id, answer.enrolment_id, answer.instrument_code, answer.instrument.version,
                  answer.occurrence, answer.answered_on.date().isoformat() if answer.answered_on else "",
                  answer.source.value, "" if answer.total is None else answer.total)
        for item in definition.items:
            value = answer.values.get(item.code)
            if item.type.value == "text" or value is None:
                continue
            writer.writerow((*common, item.code, int(value) if isinstance(value, bool) else value))
    return "\ufeff" + out.getvalue()
