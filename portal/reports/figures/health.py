"""Health social work (seed 004): channel mix, single-contact service, who the clients are, referrals."""

from __future__ import annotations

from sqlalchemy import Float, Select, and_, cast, func, literal, over, select

from portal.i18n import _l
from portal.meetings.models import Contact, ContactOutcome, ContactStatus
from portal.people.models import Client
from portal.programmes.models import Enrolment
from portal.referrals.models import Referral, ReferralKind, ReferralStatus
from portal.reports import labels
from portal.reports.figures.common import held_contacts
from portal.reports.queries import Column, Figure, Filters, age_band, count_if, in_period, ratio, scoped

PROGRAMME = "health-social-work"


def _channels(filters: Filters) -> Select:
    """Held contacts by channel, with each channel's share of all (seed 004: 80 % by phone)."""
    contacts = func.count(Contact.id)
    return (held_contacts([Contact.modality.label("group"), contacts.label("contacts"),
                           ratio(contacts, over(func.sum(contacts))).label("share")], filters, PROGRAMME)
            .group_by(Contact.modality).order_by(contacts.desc(), Contact.modality))


def _clients(filters: Filters):
    """One row per client with a held contact in the period (the people the profile figures count).

    A semi-join (EXISTS) from the clients: DISTINCT over every held contact sorted or hashed ~100 000 rows
    at county scale to find ~30 000 clients."""
    seen = scoped(select(Contact.id).select_from(Contact).join(Enrolment, Enrolment.id == Contact.enrolment_id)
                  .where(Enrolment.client_id == Client.id, Contact.status == ContactStatus.HELD,
                         in_period(Contact.starts_at, filters)), filters, PROGRAMME)
    return (select(Client.id, Client.birth_year, Client.pensioner, Client.social_welfare_client)
            .where(seen.exists()).subquery())


def _ages(filters: Filters) -> Select:
    clients = _clients(filters)
    band = age_band(filters.period_end.year, clients.c.birth_year).label("group")
    return select(band, func.count(clients.c.id).label("clients")).group_by(band).order_by(band)


def _profile(filters: Filters) -> Select:
    """Mean age, pensioners, and those without an earlier social-welfare client relationship."""
    clients = _clients(filters)
    count = func.count(clients.c.id)
    without = clients.c.social_welfare_client.is_(False)
    return select(literal("all").label("group"), count.label("clients"),
                  func.avg(cast(filters.period_end.year - clients.c.birth_year, Float)).label("mean_age"),
                  count_if(clients.c.pensioner.is_(True)).label("pensioners"),
                  ratio(count_if(clients.c.pensioner.is_(True)), count).label("pensioner_share"),
                  count_if(without).label("without_welfare"), ratio(count_if(without), count).label("without_share"))


def _single_contact(filters: Filters) -> Select:
    """Clients whose first contact was in the period: served in that one contact (outcome 'served', no other)."""
    per_client = (scoped(
        select(Enrolment.id, func.min(Contact.starts_at).label("first_at"), func.count(Contact.id).label("contacts"),
               count_if(Contact.outcome == ContactOutcome.SERVED).label("served"))
        .select_from(Contact).join(Enrolment, Enrolment.id == Contact.enrolment_id)
        .join(Client, Client.id == Enrolment.client_id).where(Contact.status == ContactStatus.HELD),
        filters, PROGRAMME).group_by(Enrolment.id).subquery())
    single = and_(per_client.c.contacts == 1, per_client.c.served == 1)
    count = func.count(per_client.c.id)
    return (select(literal("all").label("group"), count.label("clients"), count_if(single).label("single"),
                   ratio(count_if(single), count).label("single_share"))
            .where(in_period(per_client.c.first_at, filters)))


def _referrals(filters: Filters) -> Select:
    """Referrals and consultations sent to the programme's units in the period, and how they ended."""
    done = Referral.status.in_([ReferralStatus.ACCEPTED, ReferralStatus.ANSWERED])
    received = func.count(Referral.id)
    stmt = (select(Referral.kind.label("group"), received.label("received"), count_if(done).label("handled"),
                   ratio(count_if(done), received).label("handled_share"))
            .where(in_period(Referral.created_at, filters)))
    if filters.unit_ids is not None:
        stmt = stmt.where(Referral.unit_id.in_(filters.unit_ids))
    if filters.municipality_codes is not None:
        stmt = stmt.where(Referral.municipality_code.in_(filters.municipality_codes))
    if filters.worker_id is not None:
        stmt = stmt.where(Referral.handled_by_id == filters.worker_id)
    return stmt.group_by(Referral.kind).order_by(Referral.kind)


def _kind_label(value: str) -> str:
    return {ReferralKind.REFERRAL.value: str(_l("Referrals")),
            ReferralKind.CONSULTATION.value: str(_l("Consultations"))}.get(value, value)


FIGURES = [
    Figure("004-channels", PROGRAMME, _l("Channel mix"), (
        Column("group", _l("Channel"), "label"), Column("contacts", _l("Contacts")),
        Column("share", _l("Share of contacts"), "share", base="contacts")), _channels, group_label=labels.modality),
    Figure("004-single-contact", PROGRAMME, _l("Served in a single contact"), (
        Column("group", _l("Group"), "label"), Column("clients", _l("New clients")),
        Column("single", _l("Served in a single contact")),
        Column("single_share", _l("Share served in a single contact"), "share", base="clients")), _single_contact,
        chart="none", group_label=labels.all_group,
        note=_l("Clients whose first contact was in the period; served in one contact when that contact is their "
                "only one and its outcome was recorded as served.")),
    Figure("004-ages", PROGRAMME, _l("Age distribution"), (
        Column("group", _l("Age band"), "label"), Column("clients", _l("Clients"))), _ages,
        group_label=labels.age_band),
    Figure("004-profile", PROGRAMME, _l("Who the clients are"), (
        Column("group", _l("Group"), "label"), Column("clients", _l("Clients")),
        Column("mean_age", _l("Mean age"), "mean", base="clients"), Column("pensioners", _l("Pensioners")),
        Column("pensioner_share", _l("Pensioners, share"), "share", base="clients"),
        Column("without_welfare", _l("No earlier social-welfare client relationship")),
        Column("without_share", _l("No earlier social-welfare relationship, share"), "share", base="clients")),
        _profile, chart="none", group_label=labels.all_group),
    Figure("004-referrals", PROGRAMME, _l("Referrals and consultations"), (
        Column("group", _l("Kind"), "label"), Column("received", _l("Number received")),
        Column("handled", _l("Number handled")),
        Column("handled_share", _l("Handled, share"), "share", base="received")), _referrals,
        group_label=_kind_label,
        note=_l("Counted for the programme's units; client groups do not narrow this figure.")),
]
