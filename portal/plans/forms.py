"""The plan's forms. Field ids carry a prefix where several forms share one page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.i18n import _l
from portal.plans.labels import LABELS
from portal.plans.models import MAX_CONTINUATION, MAX_GOAL, MAX_NOTE, MAX_STEP, GoalStatus, StepOwner
from portal.programmes.definitions_schema import Modality
from portal.web.forms import BoundedDateField


class GoalForm(FlaskForm):
    text = TextAreaField(_l("The goal in your own words"), render_kw={"rows": 2, "maxlength": MAX_GOAL}, validators=[
        InputRequired(message=_l("Write the goal in a few words.")), Length(max=MAX_GOAL)])


class StepForm(FlaskForm):
    what = TextAreaField(_l("What is done"), render_kw={"rows": 2, "maxlength": MAX_STEP}, validators=[
        InputRequired(message=_l("Write what the step is.")), Length(max=MAX_STEP)])
    owner = SelectField(_l("Who does it"), choices=[SelectChoice(o.value, LABELS[o]) for o in StepOwner])
    due_on = BoundedDateField(_l("By when (optional)"), validators=[Optional()])


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Comment or progress note"), render_kw={"rows": 3, "maxlength": MAX_NOTE}, validators=[
        InputRequired(message=_l("Write the note first.")), Length(max=MAX_NOTE)])


class GoalStatusForm(FlaskForm):
    status = SelectField(_l("Status of the goal"), choices=[
        SelectChoice(s.value, LABELS[s]) for s in GoalStatus if s is not GoalStatus.PROPOSED])


class ReviewForm(FlaskForm):
    review_on = BoundedDateField(_l("Next review"), validators=[Optional()])
    interval = IntegerField(_l("Review every … days"), validators=[
        Optional(), NumberRange(7, 365, message=_l("Choose between %(min)s and %(max)s days."))])


class EstimateForm(FlaskForm):
    """PPT phase 1 (seed 003): how long and how much service is needed, estimated with the client."""

    months = IntegerField(_l("Expected length of the service (months)"), validators=[
        InputRequired(message=_l("Estimate the length in months.")),
        NumberRange(1, 60, message=_l("Choose between %(min)s and %(max)s months."))])
    contacts_per_month = IntegerField(_l("Expected contacts a month"), validators=[
        InputRequired(message=_l("Estimate the contacts a month.")),
        NumberRange(1, 60, message=_l("Choose between %(min)s and %(max)s contacts."))])
    services = TextAreaField(_l("Services the client needs"), render_kw={"rows": 3}, validators=[
        Optional(), Length(max=2000)])
    with_client = BooleanField(_l("We made this estimate together with the client"), validators=[
        InputRequired(message=_l("The estimate is made together with the client."))])


class BookReviewForm(FlaskForm):
    day = BoundedDateField(_l("Date"), validators=[InputRequired(message=_l("Choose a date."))])
    time = TimeField(_l("Time"), validators=[InputRequired(message=_l("Choose a time."))])
    modality = SelectField(_l("How"))

    def __init__(self, modalities: list[Modality], **kwargs) -> None:
        from portal.meetings.labels import LABELS as MEETING_LABELS

        super().__init__(**kwargs)
        self.modality.choices = [SelectChoice(m.value, MEETING_LABELS[m]) for m in modalities]


class ContinuationForm(FlaskForm):
    next_steps = TextAreaField(_l("What happens next"), render_kw={"rows": 4, "maxlength": MAX_CONTINUATION},
                               validators=[Length(max=MAX_CONTINUATION)])
    self_care = TextAreaField(_l("What you can do yourself"), render_kw={"rows": 4, "maxlength": MAX_CONTINUATION},
                              validators=[Length(max=MAX_CONTINUATION)])
    support = TextAreaField(_l("Where to get support"), render_kw={"rows": 4, "maxlength": MAX_CONTINUATION},
                            validators=[Length(max=MAX_CONTINUATION)])


class PhaseForm(FlaskForm):
    current = HiddenField()


class BreakGlassForm(FlaskForm):
    # Where to go once access is open (the plan, or the message thread it was asked from); checked as a local path.
    next = HiddenField()
    reason = TextAreaField(_l("Why do you need urgent access?"), render_kw={"rows": 2, "maxlength": 500},
                           validators=[InputRequired(message=_l("Write why you need urgent access.")),
                                       Length(max=500)])


class PhotoForm(FlaskForm):
    photo = FileField(_l("Your photo"), render_kw={"accept": "image/png,image/jpeg,image/webp"},
                      validators=[FileRequired(message=_l("Choose a picture first."))])
