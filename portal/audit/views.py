"""How the client's access log reads: a visit's time span and what was done, in the reader's language."""

from __future__ import annotations

from babel.lists import format_list

from portal.audit.labels import FEATURES, LABELS
from portal.audit.queries import Visit
from portal.i18n import _, format_locale
from portal.scheduling.timeutil import as_helsinki
from portal.web.templating import local_date as format_date
from portal.web.templating import local_datetime
from portal.web.templating import local_time as format_time


def visit_when(visit: Visit) -> str:
    """"6.12.2026 10.02–10.14" in Finnish (one time when the visit was a single moment)."""
    start, end = visit.first_at, visit.last_at
    if as_helsinki(start).date() != as_helsinki(end).date():
        return _("%(start)s – %(end)s", start=local_datetime(start, "short"), end=local_datetime(end, "short"))
    if format_time(start, "short") == format_time(end, "short"):
        return _("%(date)s at %(time)s", date=format_date(start, "short"), time=format_time(start, "short"))
    return _("%(date)s, %(start)s–%(end)s", date=format_date(start, "short"), start=format_time(start, "short"),
             end=format_time(end, "short"))


def visit_what(visit: Visit) -> tuple[str, str]:
    """What was done ("Viewed and changed") and where ("Plan and Messages"), as locale-aware lists."""
    locale = format_locale()
    done = [str(LABELS[a]) for a in sorted((a for a in visit.actions if a != "list"), key=lambda a: a.value)]
    if "list" in visit.actions:
        done.append(_("Your name was on a page listing clients"))
    places = [str(FEATURES.get(f, f)) for f in visit.features]
    return format_list(done, locale=locale), format_list(places, locale=locale)
