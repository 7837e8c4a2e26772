from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from portal.i18n import LANGUAGE_NAMES, _l


class LoginForm(FlaskForm):
    # No format check at sign-in: any wrong input gets the same "wrong email or password" answer.
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = StringField(render_kw={"hidden": True})


class LanguageForm(FlaskForm):
    locale = SelectField(choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
                         validators=[DataRequired()])
    next = StringField()


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)],
                            render_kw={"autocomplete": "current-password"})


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})


class CodeForm(FlaskForm):
    # Six digits from the app, or a recovery code (xxxxx-xxxxx): checked by the operation, not here.
    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"})
