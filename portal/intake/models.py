"""Intake items, service-needs assessments, decision meetings and decisions (seed 001).

A housing application is an enrolment in programme ``housing-guidance``; these tables hang off it.
Every channel lands in one ``intake_items`` list (seed 001: the ten municipalities took contacts in
different ways). Registering an item matches or creates the client and opens the enrolment.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.db import str_enum, utcnow
from portal.extensions import db
from portal.people.models import Client, Municipality, note_shown
from portal.programmes.models import Enrolment


class HousingServiceType(enum.StrEnum):
    """The Social Welfare Act's housing services since 2023 (SHL 21 a–c §)."""

    supported = "supported"  # tuettu asuminen
    communal = "communal"  # yhteisöllinen asuminen
    round_the_clock = "round_the_clock"  # ympärivuorokautinen palveluasuminen


class DecisionOutcome(enum.StrEnum):
    granted = "granted"
    rejected = "rejected"
    more_information = "more_information"


class AgendaReason(enum.StrEnum):
    """Why a client is on the SAP agenda (seed 001: new clients, and clients whose service need changes)."""

    new_application = "new_application"
    changed_need = "changed_need"  # already placed or in a queue


class MeetingCapacity(enum.StrEnum):
    """In which capacity someone attended a SAP meeting (seed 001 names the three who sit in it)."""

    chair = "chair"  # palveluyksikköpäällikkö
    lead_social_worker = "lead_social_worker"  # johtava sosiaalityöntekijä
    client_worker = "client_worker"  # the worker who presents a client's assessment
    member = "member"


class IntakeChannel(enum.StrEnum):
    service_request = "service_request"  # the client's own electronic request (client portal)
    notification_35 = "notification_35"  # a professional's notification of need for social welfare, SWA §35
    phone = "phone"
    paper = "paper"
    visit = "visit"


STAFF_CHANNELS = (IntakeChannel.phone, IntakeChannel.paper, IntakeChannel.visit)


class IntakeStatus(enum.StrEnum):
    draft = "draft"  # a client's service request while it is being filled in
    received = "received"  # in the intake list, waiting to be registered
    registered = "registered"  # matched to a client, enrolment opened
    merged = "merged"  # a duplicate, joined to the existing case


class AssessmentRule(enum.StrEnum):
    """Which deadline applies (SWA §36)."""

    priority = "priority"  # over 75 or highest care allowance: started by the 7th working day
    undue_delay = "undue_delay"  # everyone else: "without undue delay", a configured number of working days


class IntakeItem(db.Model):
    """One contact about a person's need for housing services, from whichever channel it came."""

    __tablename__ = "intake_items"
    __table_args__ = (
        # SWA §35: the notifier and whether the person was told and agreed are part of the notification.
        CheckConstraint(
            "channel <> 'notification_35' OR status = 'draft' OR (notifier_name IS NOT NULL"
            " AND notifier_organisation IS NOT NULL AND person_informed IS NOT NULL"
            " AND person_consented IS NOT NULL)",
            name="notification_has_notifier",
        ),
        CheckConstraint(
            "status = 'draft' OR (municipality_code IS NOT NULL AND received_on IS NOT NULL)",
            name="received_has_place_and_date",
        ),
        CheckConstraint("status <> 'registered' OR enrolment_id IS NOT NULL", name="registered_has_enrolment"),
        CheckConstraint(
            "status <> 'merged' OR enrolment_id IS NOT NULL OR merged_into_id IS NOT NULL", name="merged_has_target"
        ),
        CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year_range"),
        # One server-side draft per client account.
        Index(
            "uq_intake_items_one_draft", "submitted_by_id", unique=True,
            sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'"),
        ),
        Index("ix_intake_items_status_received", "status", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[IntakeChannel] = mapped_column(str_enum(IntakeChannel, 24))
    status: Mapped[IntakeStatus] = mapped_column(str_enum(IntakeStatus, 16), default=IntakeStatus.received)
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.code"), index=True)
    received_on: Mapped[date | None] = mapped_column(Date)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    # The language the request was written in (fi/sv/en); decisions follow Client.language instead.
    language: Mapped[str] = mapped_column(String(2), default="fi")
    description: Mapped[str] = mapped_column(Text, default="")
    highest_care_allowance: Mapped[bool] = mapped_column(default=False)
    notifier_name: Mapped[str | None] = mapped_column(String(200))
    notifier_organisation: Mapped[str | None] = mapped_column(String(200))
    notifier_phone: Mapped[str | None] = mapped_column(String(32))
    person_informed: Mapped[bool | None]
    person_consented: Mapped[bool | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("intake_items.id"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality | None] = relationship(lazy="joined")
    client: Mapped[Client | None] = relationship()
    enrolment: Mapped[Enrolment | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @property
    def full_name(self) -> str:
        note_shown(self.client_id)  # a contact of a known client: the page that shows it is audited
        return f"{self.first_name} {self.last_name}".strip()


class Assessment(db.Model):
    """A service-needs assessment (palvelutarpeen arviointi, PTA) of one housing application."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("completed_on IS NULL OR started_on IS NOT NULL", name="completed_was_started"),
        CheckConstraint("completed_on IS NULL OR completed_on >= started_on", name="completed_after_start"),
        CheckConstraint("started_on IS NULL OR started_on >= received_on", name="started_after_received"),
        CheckConstraint("due_on >= received_on", name="due_after_received"),
        CheckConstraint("completed_on IS NULL OR summary IS NOT NULL", name="completed_has_summary"),
        CheckConstraint("(rule = 'priority') = (start_due_on IS NOT NULL)", name="priority_has_start_deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    intake_item_id: Mapped[int | None] = mapped_column(ForeignKey("intake_items.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    rule: Mapped[AssessmentRule] = mapped_column(str_enum(AssessmentRule, 16))
    # The clock starts when the contact was received, not when staff got round to registering it.
    received_on: Mapped[date] = mapped_column(Date)
    start_due_on: Mapped[date | None] = mapped_column(Date)  # §36 priority groups only
    due_on: Mapped[date] = mapped_column(Date)  # completed by
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    # What the decision meeting reads; internal, never shown to the client.
    summary: Mapped[str | None] = mapped_column(Text)
    # Seed 001's client-participatory recording: the summary written for the client, who sees it (/me/assessment)
    # with their own view of each area (AssessmentArea).
    client_summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    worker: Mapped[User | None] = relationship()
    areas: Mapped[list[AssessmentArea]] = relationship(
        back_populates="assessment", order_by="AssessmentArea.id", cascade="all, delete-orphan")


class AssessmentArea(db.Model):
    """One area of the structured assessment (the organisation configures the areas: ``intake.areas``).

    The worker's assessment stays internal (what SAP reads with the summary); the client's own view is
    written in the client's words and shown back to the client.
    """

    __tablename__ = "assessment_areas"
    __table_args__ = (UniqueConstraint("assessment_id", "area_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    area_code: Mapped[str] = mapped_column(String(40))
    worker_view: Mapped[str | None] = mapped_column(Text)
    client_view: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="areas")


class DecisionMeeting(db.Model):
    """One SAP meeting (seed 001 never expands the name): twice a week, chaired by the service-unit manager
    (palveluyksikköpäällikkö), with the lead social worker and each client's worker; who attended is recorded."""

    __tablename__ = "decision_meetings"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 10 AND 480", name="minutes_range"),
        UniqueConstraint("unit_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    starts_at: Mapped[datetime]
    minutes: Mapped[int] = mapped_column(SmallInteger)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chair: Mapped[User] = relationship()
    items: Mapped[list[DecisionMeetingItem]] = relationship(
        back_populates="meeting", order_by="DecisionMeetingItem.position", cascade="all, delete-orphan"
    )
    attendees: Mapped[list[DecisionMeetingAttendee]] = relationship(
        back_populates="meeting", order_by="DecisionMeetingAttendee.capacity", cascade="all, delete-orphan"
    )


class DecisionMeetingAttendee(db.Model):
    """Who attended a SAP meeting, and in which capacity (recorded by the chair)."""

    __tablename__ = "decision_meeting_attendees"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("decision_meetings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    capacity: Mapped[MeetingCapacity] = mapped_column(str_enum(MeetingCapacity, 24))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[DecisionMeeting] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class DecisionMeetingItem(db.Model):
    """A client on the agenda: the worker's estimate, and what actually happened."""

    __tablename__ = "decision_meeting_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "enrolment_id"),
        UniqueConstraint("meeting_id", "position"),
        CheckConstraint("estimated_minutes BETWEEN 1 AND 120", name="estimate_range"),
        CheckConstraint("actual_minutes IS NULL OR actual_minutes BETWEEN 0 AND 480", name="actual_range"),
        CheckConstraint("(outcome = 'granted') = (service_type IS NOT NULL)", name="granted_has_service_type"),
        CheckConstraint("(outcome IS NULL) = (recorded_at IS NULL)", name="outcome_recorded_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("decision_meetings.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    estimated_minutes: Mapped[int] = mapped_column(SmallInteger, default=10)
    reason: Mapped[AgendaReason] = mapped_column(str_enum(AgendaReason, 24), default=AgendaReason.new_application,
                                                 server_default=AgendaReason.new_application.value)
    actual_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    outcome: Mapped[DecisionOutcome | None] = mapped_column(str_enum(DecisionOutcome, 24))
    service_type: Mapped[HousingServiceType | None] = mapped_column(str_enum(HousingServiceType, 24))
    recorded_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[DecisionMeeting] = relationship(back_populates="items")
    enrolment: Mapped[Enrolment] = relationship()
    assessment: Mapped[Assessment | None] = relationship()
    worker: Mapped[User] = relationship(foreign_keys=[worker_id])


class Decision(db.Model):
    """A written decision in the client's language; the client sees it only once it is signed."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("language IN ('fi', 'sv')", name="language_known"),
        CheckConstraint("(outcome = 'granted') = (service_type IS NOT NULL)", name="granted_has_service_type"),
        CheckConstraint("(signed_at IS NULL) = (signed_by_id IS NULL)", name="signed_by_whom"),
        # Four eyes: the drafter never signs their own decision.
        CheckConstraint("signed_by_id IS NULL OR signed_by_id <> drafted_by_id", name="signer_not_drafter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    meeting_item_id: Mapped[int | None] = mapped_column(ForeignKey("decision_meeting_items.id"), unique=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(str_enum(DecisionOutcome, 24))
    service_type: Mapped[HousingServiceType | None] = mapped_column(str_enum(HousingServiceType, 24))
    language: Mapped[str] = mapped_column(String(2))
    body: Mapped[str] = mapped_column(Text)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    enrolment: Mapped[Enrolment] = relationship()
    meeting_item: Mapped[DecisionMeetingItem | None] = relationship()
    drafted_by: Mapped[User] = relationship(foreign_keys=[drafted_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])

    @property
    def signed(self) -> bool:
        return self.signed_at is not None
