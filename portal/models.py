"""Imports every feature's models so that metadata is complete (migrations, create_all in tests)."""

import portal.bulk.models  # noqa: F401,E402  (each feature's module lists its own tables)
import portal.intake.models  # noqa: F401,E402
import portal.network.models  # noqa: F401,E402
import portal.queues.models  # noqa: F401,E402
import portal.referrals.models  # noqa: F401,E402
from portal.audit.models import AuditRecord  # noqa: F401
from portal.auth.models import OidcIdentity, User, UserRole  # noqa: F401
from portal.drafts.models import FormDraft  # noqa: F401
from portal.groups.models import Attendance, Group, GroupMember, GroupSession  # noqa: F401
from portal.measures.models import Answer, Correction, InstrumentVersion, MeasureSettings  # noqa: F401
from portal.meetings.models import Contact  # noqa: F401
from portal.messages.models import Attachment, CallbackRequest, Draft, Message, ReadMark, Thread  # noqa: F401
from portal.notifications.models import OutboxMessage  # noqa: F401
from portal.people.models import Client, ClientUnit, Municipality, OrgUnit, UnitMembership  # noqa: F401
from portal.plans.models import BreakGlass, Goal, PhaseTransition, Plan, PlanNote, PlanVersion, Step  # noqa: F401
from portal.programmes.models import Enrolment, Programme, TeamMember, Transfer  # noqa: F401
from portal.scheduling.models import (  # noqa: F401
    Absence,
    Appointment,
    CalendarFeed,
    ChangeRequest,
    Participant,
    WorkingHours,
)
from portal.smart.models import AccessToken, ApiClient, AuthorizationCode, UsedAssertion  # noqa: F401
from portal.tasks.models import Task  # noqa: F401
from portal.video.models import PracticeResult, VideoInvite, VideoParticipant, VideoRoom  # noqa: F401
