"""Accounts: who can sign in, with which roles, and through which identity providers."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import str_enum, utcnow
from portal.extensions import db


class AccountKind(enum.StrEnum):
    STAFF = "staff"
    CLIENT = "client"


class Role(enum.StrEnum):
    """Staff roles; a person may hold several. Clients have no role: their account kind says it."""

    WORKER = "worker"
    CARE_COORDINATOR = "care_coordinator"
    TEAM_LEAD = "team_lead"
    # Palveluyksikköpäällikkö: chairs the unit's SAP meetings (seed 001) and signs their decisions; reads
    # only what the meeting decides on (the agenda, its assessments' summaries, the decisions), no caseload.
    SERVICE_MANAGER = "service_manager"
    QUEUE_COORDINATOR = "queue_coordinator"
    HOUSING_UNIT = "housing_unit"
    REFERRER = "referrer"
    ADMIN = "admin"


class JobTitle(enum.StrEnum):
    """Structured staff job titles (Finnish professional titles; labels in fi/sv/en in labels.py)."""

    SOCIAL_WORKER = "social_worker"  # sosiaalityöntekijä
    LEADING_SOCIAL_WORKER = "leading_social_worker"  # johtava sosiaalityöntekijä
    SOCIAL_COUNSELLOR = "social_counsellor"  # sosiaaliohjaaja
    HEALTH_SOCIAL_WORKER = "health_social_worker"  # terveyssosiaalityöntekijä
    PSYCHIATRIC_NURSE = "psychiatric_nurse"  # psykiatrinen sairaanhoitaja
    NURSE = "nurse"  # sairaanhoitaja
    PRACTICAL_NURSE = "practical_nurse"  # lähihoitaja
    PSYCHOLOGIST = "psychologist"  # psykologi
    OCCUPATIONAL_THERAPIST = "occupational_therapist"  # toimintaterapeutti
    PEER_WORKER = "peer_worker"  # kokemusasiantuntija
    SERVICE_MANAGER = "service_manager"  # palveluyksikköpäällikkö / palveluesihenkilö
    QUEUE_COORDINATOR = "queue_coordinator"  # jonokoordinaattori
    HOUSING_SUPERVISOR = "housing_supervisor"  # vastaava ohjaaja (housing-service unit)
    SYSTEM_ADMINISTRATOR = "system_administrator"  # pääkäyttäjä


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("locale IN ('fi', 'sv', 'en')", name="locale_known"),
        CheckConstraint("auth_epoch >= 0", name="auth_epoch_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, 16))
    # Lower-cased on write (operations), so the unique constraint is case-insensitive in effect.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Free text of older and demo accounts ("sosiaaliohjaaja, jonokoordinaattorin varahenkilö"); new accounts
    # have a structured job_title instead. Pages show ``title``: the job title's label in the reader's
    # language, the free text (in the words it was written in) only where there is no job title.
    title_text: Mapped[str | None] = mapped_column("title", String(120))
    job_title: Mapped[JobTitle | None] = mapped_column(str_enum(JobTitle, 40))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(5), default="fi")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The session generation: stored in the session at sign-in and compared on every request
    # (portal/auth/session.py); bumped on password change or reset and on deactivation, which ends
    # every session signed in before.
    auth_epoch: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Signs in only through the organisation's identity provider: no local password, no invitation link.
    oidc_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    # TOTP (RFC 6238): the secret encrypted (portal/auth/totp.py), never logged; set but not yet confirmed
    # while totp_enabled_at is empty. The last accepted time step refuses a replayed code.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    # Loaded when asked for, not with every user: pages show many users (a coordinator, a host, a team)
    # whose roles they never read. The signed-in user is loaded with them (portal/auth/session.py), and
    # lists that show roles ask for them (portal/admin/queries.staff).
    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan")
    identities: Mapped[list[OidcIdentity]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def title(self) -> str | None:
        """What pages show after the name: the structured job title in the reader's language; the free text
        only for accounts without one (older rows whose words matched no title, migration f16c0de00012)."""
        if self.job_title is None:
            return self.title_text
        from portal.auth.labels import LABELS  # labels import this module

        return str(LABELS[self.job_title])

    @title.setter
    def title(self, value: str | None) -> None:
        self.title_text = value

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def is_staff(self) -> bool:
        return self.kind is AccountKind.STAFF

    @property
    def is_client(self) -> bool:
        return self.kind is AccountKind.CLIENT

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)

    def has_role(self, *roles: Role) -> bool:
        return self.is_staff and bool(self.role_set.intersection(roles))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.kind}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 32), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class OidcIdentity(db.Model):
    """A login at an OpenID provider (issuer + subject) bound to one Silta account."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="identities")


class TokenPurpose(enum.StrEnum):
    ACTIVATE = "activate"  # a staff invitation: set the first password
    RESET = "reset"  # password reset by email
    CLIENT_ACTIVATE = "client_activate"  # a client's activation code (SMS, email or a printed letter)


class AuthToken(db.Model):
    """A one-time, expiring token; only its keyed hash is stored (portal/auth/tokens.py)."""

    __tablename__ = "auth_tokens"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_created"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, 24))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RecoveryCode(db.Model):
    """One of the ten TOTP recovery codes shown once at enrolment; stored hashed, each used once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class AuthSession(db.Model):
    """A signed-in browser (portal/auth/session.py): the cookie holds a random token, the row its hash.

    Ending a session deletes its row, so a copied cookie signs nobody in any more. ``id`` is a random
    public id that tickets and revocation messages carry (never the token). A row past ``expires_at``
    (the absolute lifetime) or idle longer than the idle timeout is dead even before the job deletes it.
    """

    __tablename__ = "auth_sessions"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_created"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    method: Mapped[str] = mapped_column(String(40))  # password, oidc:<provider>, totp
    browser: Mapped[str] = mapped_column(String(20))  # a browser family for the account page, not the agent

    user: Mapped[User] = relationship()
