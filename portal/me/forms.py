"""The client's own settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField

from portal.i18n import _l


class CalmModeForm(FlaskForm):
    """Posted by templates/me/_calm_mode.html (on the profile page, the device check and the practice page)."""

    calm_mode = BooleanField(_l("Use calm mode"))
    next = HiddenField()
