"""Reads: the inbox, the referrer's own list, clients that may be the referred person."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, exists, func, select

from portal.auth.models import Role, User, UserRole
from portal.extensions import db
from portal.people.models import Client, Municipality, OrgUnit, UnitMembership
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.referrals.models import URGENCY_ORDER, Referral, ReferralKind, ReferralStatus
from portal.referrals.permissions import units_of

PROGRAMME = "health-social-work"
RECENT_DAYS = 30
MINE_LIMIT = 200
_URGENCY_RANK = case({u.value: i for i, u in enumerate(URGENCY_ORDER)}, value=Referral.urgency)


def inbox(user: User) -> list[Referral]:
    """Open referrals and consultations of the worker's units: the most urgent first, then the oldest."""
    return list(db.session.scalars(
        select(Referral).where(Referral.unit_id.in_(units_of(user)), Referral.status == ReferralStatus.OPEN)
        .order_by(_URGENCY_RANK, Referral.created_at, Referral.id)))


def recently_handled(user: User, now: datetime) -> list[Referral]:
    return list(db.session.scalars(
        select(Referral).where(Referral.unit_id.in_(units_of(user)), Referral.status != ReferralStatus.OPEN,
                               Referral.handled_at >= now - timedelta(days=RECENT_DAYS))
        .order_by(Referral.handled_at.desc())))


def sent_by(referrer: User) -> list[Referral]:
    """The referrer's own referrals and consultations, the newest first."""
    return list(db.session.scalars(select(Referral).where(Referral.referrer_id == referrer.id)
                                   .order_by(Referral.created_at.desc(), Referral.id.desc()).limit(MINE_LIMIT)))


def open_referral_of(unit_id: int, key: str) -> Referral | None:
    return db.session.scalar(select(Referral).where(
        Referral.unit_id == unit_id, Referral.person_key == key, Referral.kind == ReferralKind.REFERRAL,
        Referral.status == ReferralStatus.OPEN).limit(1))


def _same_person(first_name: str, last_name: str, birth_year: int):
    return (func.lower(Client.first_name) == first_name.strip().lower(),
            func.lower(Client.last_name) == last_name.strip().lower(), Client.birth_year == birth_year)


def already_served(first_name: str, last_name: str, birth_year: int) -> bool:
    """Whether a client of that name and birth year is in health social work now."""
    return bool(db.session.scalar(select(exists().where(
        Enrolment.client_id == Client.id, Enrolment.programme_code == PROGRAMME,
        Enrolment.status == EnrolmentStatus.ACTIVE, *_same_person(first_name, last_name, birth_year)))))


def candidates(referral: Referral) -> list[Client]:
    """Clients already in the register who may be the referred person (same names and birth year)."""
    if not referral.names_person or referral.birth_year is None:
        return []
    return list(db.session.scalars(select(Client).where(
        *_same_person(referral.first_name or "", referral.last_name or "", referral.birth_year))
        .order_by(Client.id).limit(10)))


def units_for_referrer(referrer: User) -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(units_of(referrer))).order_by(OrgUnit.id)))


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name_fi)))


def may_receive(user: User) -> bool:
    """A case worker, who reads the referrals inbox when a referrer is among their unit's members."""
    return user.has_role(Role.WORKER, Role.CARE_COORDINATOR, Role.TEAM_LEAD)


def referrer_in_unit(user_id) -> ColumnElement[bool]:
    """A referrer among the members of the user's units: the inbox is theirs to read (the header asks on
    every page: portal/web/header.py)."""
    mine = select(UnitMembership.unit_id).where(UnitMembership.user_id == user_id)
    return exists().where(UnitMembership.unit_id.in_(mine), UserRole.user_id == UnitMembership.user_id,
                          UserRole.role == Role.REFERRER)


def enrolment_contacts(enrolment: Enrolment):
    from portal.meetings.models import Contact

    return list(db.session.scalars(select(Contact).where(Contact.enrolment_id == enrolment.id)
                                   .order_by(Contact.starts_at.desc())))


@dataclass(frozen=True)
class Figures:
    """What seed 004 reports, for one period: the reports feature reads these (no table of its own)."""

    referrals: int
    consultations: int
    clients: int  # clients with at least one held contact in the period
    contacts_by_channel: dict[str, int]
    served_in_one_contact: int  # clients whose only held contact ended the matter (served or referred onwards)
    ages: list[int]
    pensioners: int
    without_welfare_relationship: int

    @property
    def single_contact_share(self) -> float | None:
        return self.served_in_one_contact / self.clients if self.clients else None

    @property
    def mean_age(self) -> float | None:
        return sum(self.ages) / len(self.ages) if self.ages else None


def figures(unit_ids: list[int], start: datetime, end: datetime) -> Figures:
    """Seed 004's statistics for the units' health-social-work clients whose contacts fall in [start, end)."""
    from portal.meetings.models import Contact, ContactOutcome, ContactStatus

    sent = Counter(db.session.scalars(select(Referral.kind).where(
        Referral.unit_id.in_(unit_ids), Referral.created_at >= start, Referral.created_at < end)))
    rows = db.session.execute(
        select(Contact.enrolment_id, Contact.modality, Contact.outcome, Client.birth_year, Client.pensioner,
               Client.social_welfare_client)
        .join(Enrolment, Enrolment.id == Contact.enrolment_id).join(Client, Client.id == Enrolment.client_id)
        .where(Enrolment.programme_code == PROGRAMME, Enrolment.unit_id.in_(unit_ids),
               Contact.status == ContactStatus.HELD, Contact.starts_at >= start, Contact.starts_at < end)).all()
    per_client = defaultdict(list)
    for row in rows:
        per_client[row.enrolment_id].append(row)
    people = [contacts[0] for contacts in per_client.values()]
    return Figures(
        referrals=sent[ReferralKind.REFERRAL], consultations=sent[ReferralKind.CONSULTATION],
        clients=len(per_client), contacts_by_channel=dict(Counter(r.modality.value for r in rows)),
        served_in_one_contact=sum(len(c) == 1 and c[0].outcome in (ContactOutcome.SERVED,
                                                                    ContactOutcome.REFERRED_ONWARDS)
                                  for c in per_client.values()),
        ages=sorted(start.year - p.birth_year for p in people), pensioners=sum(p.pensioner for p in people),
        without_welfare_relationship=sum(not p.social_welfare_client for p in people))
