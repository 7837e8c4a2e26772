"""Where to send a user next: only to paths on this site, and to the right home for each role."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

from portal.auth.models import Role, User
from portal.web.access import CASEWORK_ROLES

MAX_NEXT = 2000  # longer is no link of ours


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site; None for anything that could leave it.

    Control characters (CR/LF, NUL, …) are refused too: werkzeug refuses them in a Location header, which
    was a 500 instead of a redirect home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if len(target) > MAX_NEXT or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def home_for(user: User) -> str:
    if user.is_client:
        return url_for("me.home")
    if user.has_role(*CASEWORK_ROLES):
        return url_for("tasks.today")  # the worker's first screen: requests and what needs attention
    if user.has_role(Role.SERVICE_MANAGER):
        return url_for("intake.meetings")  # seed 001: the service-unit manager chairs SAP
    if user.has_role(Role.QUEUE_COORDINATOR):
        return url_for("queues.index")
    if user.has_role(Role.HOUSING_UNIT):
        return url_for("queues.units")
    if user.has_role(Role.REFERRER):
        return url_for("referrals.mine")
    if user.has_role(Role.ADMIN):
        return url_for("admin.index")
    return url_for("core.account")


def main_navigation() -> list[tuple[str, str]]:
    """The links in the header, for the signed-in user's roles."""
    from flask_login import current_user

    from portal.i18n import _

    if not current_user.is_authenticated:
        return []
    if current_user.is_client:
        return [("me.home", _("My page")), ("plans.mine", _("My plans")), ("messages.mine", _("Messages")),
                ("appointments.index", _("My appointments")),
                ("video.index", _("Video meetings")), ("measures.my_results", _("My results")),
                ("me.profile", _("My details")), ("audit.my_access_log", _("Who has seen my data"))]
    links = []
    if current_user.has_role(*CASEWORK_ROLES):
        links += [("tasks.today", _("My day")), ("caseload.index", _("My clients")), ("messages.inbox", _("Messages")),
                  ("scheduling.index", _("My calendar")),
                  ("video.index", _("Video meetings")), ("groups.index", _("Groups"))]
    if current_user.has_role(Role.ADMIN):
        links += [("admin.index", _("Administration")), ("admin.users", _("Staff accounts")),
                  ("audit.search", _("Audit log")), ("notifications.outbox", _("Outbox"))]
    if current_user.has_role(*CASEWORK_ROLES, Role.QUEUE_COORDINATOR):
        links.append(("reports.index", _("Reports")))
    links.append(("core.account", _("My account")))
    return links
