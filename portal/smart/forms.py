"""The consent form of a user-facing app's launch: allow or deny, nothing else."""

from flask_wtf import FlaskForm
from wtforms import SubmitField

from portal.i18n import _l


class ConsentForm(FlaskForm):
    allow = SubmitField(_l("Allow"))
    deny = SubmitField(_l("Do not allow"))
