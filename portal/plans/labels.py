"""Translated names for the plan's enums."""

from portal.i18n import _l
from portal.plans.models import GoalStatus, NoteKind, StepOwner
from portal.web.labels import EnumLabels

LABELS = EnumLabels(
    {
        GoalStatus.PROPOSED: _l("Proposed, waiting for your worker"),
        GoalStatus.AGREED: _l("Agreed"),
        GoalStatus.ACHIEVED: _l("Achieved"),
        GoalStatus.DROPPED: _l("Set aside"),
    },
    {
        StepOwner.CLIENT: _l("Client"),
        StepOwner.WORKER: _l("Worker"),
        StepOwner.TEAM_MEMBER: _l("Team member"),
        StepOwner.RELATIVE: _l("Relative or friend"),
    },
    {
        NoteKind.COMMENT: _l("Comment"),
        NoteKind.PROGRESS: _l("Progress note"),
    },
)
