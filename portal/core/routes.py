from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.auth import session as sessions
from portal.core import bp
from portal.web.navigation import home_for


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    return render_template("core/account.html", sessions=sessions.active_for(current_user),
                           this_session=sessions.current_id())


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement that Finnish law (306/2019) requires of public digital services."""
    return render_template("core/accessibility.html")
