"""CSV for Finnish Excel: UTF-8 with a BOM, ";" between fields, CRLF, decimal comma in fi and sv.

Excel in a Finnish locale opens such a file with a double click and reads "71,2" as a number; a comma
separated file would land in one column. The cells are the page's cells (views.FigureView), so the
numbers and the suppressed marks are the same as on the page.
"""

from __future__ import annotations

import csv
import io

from flask_babel import get_locale

from portal.i18n import _
from portal.programmes import registry
from portal.reports.views import FigureView

BOM = "\ufeff"


def csv_bytes(programme: str, form, figures: list[FigureView], minimum: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    definition = registry.definition(programme)
    writer.writerow([definition.name.get(str(get_locale())) if definition else programme])
    writer.writerow([_("Period"), form.start.data.isoformat(), form.end.data.isoformat()])
    writer.writerow([_("Counts from 1 to %(below)s are shown as <%(minimum)s; a share or mean that could reveal "
                       "them is shown as ..", below=minimum - 1, minimum=minimum)])
    for figure in figures:
        writer.writerow([])
        writer.writerow([figure.title])
        writer.writerow(figure.headers)
        writer.writerows(figure.rows)
    return (BOM + out.getvalue()).encode("utf-8")
