"""Demo data for health social work in Mikkeli (seed 004): referrals, consultations, contact outcomes.

The history (``history.py``) already enrols the programme's clients with the seed's channel mix. Here
each of them gets the referral that brought them (sent by a primary-care nurse or doctor, consent
noted, accepted by the worker who coordinates them), each held contact gets its outcome — a quarter of
the clients served in one contact, as the seed reports —, answered consultations are spread over the
past months, and a few referrals and consultations wait in the inbox for the README walk-through.
Deterministic: one ``random.Random`` of its own, and ``today`` as the only clock.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Role, User
from portal.meetings.models import Contact, ContactOutcome, ContactStatus
from portal.people.models import ClientLanguage, Gender, OrgUnit
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.referrals.models import (
    ConsentBy,
    ConsentHow,
    Referral,
    ReferralKind,
    ReferralStatus,
    Urgency,
    person_key,
)
from portal.scheduling.models import Appointment, AppointmentStatus

PROGRAMME = "health-social-work"
UNIT = "es-tesoty"
NURSE = "hoitaja.terveysasema@silta.example"
URGENCIES = [Urgency.TODAY] * 3 + [Urgency.THIS_WEEK] * 6 + [Urgency.NORMAL] * 11
SITUATIONS = (
    "Asiakas on huolissaan toimeentulosta sairausloman pitkittyessä. Toivoo apua Kelan hakemuksiin.",
    "Iäkäs asiakas asuu yksin, kotona pärjääminen heikentynyt. Omaiset kaukana. Kotihoidon tarve?",
    "Puoliso sairastunut vakavasti, asiakas uupunut omaishoitajana. Tarvitsee tietoa tukimuodoista.",
    "Asiakkaalla vuokrarästejä ja häätöuhka. Lupa ottaa yhteyttä puhelimitse.",
    "Eläkkeelle siirtyminen edessä, ei tiedä mitä etuuksia hakea. Toivoo soittoa.",
    "Leskeksi jäänyt asiakas, raha-asiat hoitanut aiemmin puoliso. Tarvitsee apua laskujen kanssa.",
    "Asiakas kotiutumassa osastolta, apuvälineet ja kuljetukset selvittämättä.",
    "Lääkekulut suuret, rahat eivät riitä. Onko oikeus maksusitoumukseen tai toimeentulotukeen?",
)
CONSULTATIONS = (
    ("Potilas kertoi vastaanotolla läheisväkivallasta. Mihin voin ohjata, jos hän ei halua vielä lähetettä?",
     "Kerro Nollalinjasta (0800 02400) ja rikosuhripäivystyksestä. Jos potilas myöhemmin suostuu, tee lähete: "
     "soitan hänelle saman päivän aikana."),
    ("Omaishoitaja kysyi, miten omaishoidon tukea haetaan Mikkelissä. Mitä neuvon?",
     "Hakemus hyvinvointialueen omaishoidon tuen palveluohjaukseen; lomake verkossa. Voin soittaa hänelle, jos "
     "hän haluaa apua hakemuksen kanssa – tee silloin lähete."),
    ("Nuori aikuinen ilman kotia, yöpyy kavereilla. Mihin ohjaan kiireellisesti?",
     "Sosiaalipäivystykseen samana päivänä, ja aikuissosiaalityön asumisneuvontaan. Tee ilmoitus sosiaalihuollon "
     "tarpeesta, jos hän ei itse pysty yhteydenottoon."),
    ("Kelan sairauspäiväraha hylättiin. Miten asiakas voi hakea muutosta?",
     "Muutoksenhaku sosiaaliturvan muutoksenhakulautakuntaan 30 päivän kuluessa; ohje päätöksen liitteenä. "
     "Voimme auttaa valituksessa, jos asiakas haluaa – tee lähete."),
    ("Asiakkaalla ei ole rahaa lääkkeisiin ennen kuun vaihdetta. Onko nopeaa apua?",
     "Kiireellinen toimeentulotuki hyvinvointialueelta, ja apteekin maksusitoumus, jos sellainen on jo myönnetty. "
     "Tee lähete, niin soitan vielä tänään."),
    ("Miten muistisairaan edunvalvonta käynnistetään, kun omainen ei halua hakea?",
     "Edunvalvontailmoitus digi- ja väestötietovirastoon; kuka tahansa voi tehdä sen. Voin kertoa omaiselle "
     "lisää, jos hän haluaa soiton."),
)
WAITING = (  # the inbox the README walk-through opens: name, birth year, gender, pensioner, welfare, urgency
    ("Raili", "Hämäläinen", 1941, Gender.FEMALE, True, False, Urgency.TODAY, 0),
    ("Pekka", "Kauppinen", 1967, Gender.MALE, False, True, Urgency.THIS_WEEK, 1),
    ("Sirpa", "Tikkanen", 1955, Gender.FEMALE, True, False, Urgency.NORMAL, 3),
)


def seed_referrals(session: Session, enrolments: list[Enrolment], today: date, seed: int = 4) -> int:
    """Add the referrals, consultations and contact outcomes of health social work; returns referrals added."""
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == UNIT))
    nurse = session.scalar(select(User).where(User.email == NURSE))
    served = [e for e in enrolments if e.programme_code == PROGRAMME]
    if unit is None or nurse is None or not served:
        return 0  # a demo county without this programme
    rng = random.Random(seed)
    # The demo county has one referrer (its staff list is seed.py's); the tests cover several.
    referrers = [nurse]
    rows = [_accepted(e, rng.choice(referrers), rng) for e in sorted(served, key=lambda e: e.id)]
    rows += _consultations(unit, referrers, today, rng)
    rows += _waiting(unit, nurse, today)
    session.add_all(rows)
    _outcomes(session, served, rng)
    session.flush()
    return len(rows)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    # Helsinki office hours, stored in UTC (two or three hours behind; close enough for demo data).
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) - timedelta(hours=2)


def _accepted(enrolment: Enrolment, referrer: User, rng: random.Random) -> Referral:
    """The referral that brought the client: sent a few days before the start, accepted on the start day."""
    client, start = enrolment.client, enrolment.start_on
    urgency = rng.choice(URGENCIES)
    sent = start - timedelta(days={Urgency.TODAY: 0, Urgency.THIS_WEEK: rng.randint(1, 3)}.get(
        urgency, rng.randint(2, 9)))
    worker = enrolment.coordinator
    return Referral(
        kind=ReferralKind.REFERRAL, unit=enrolment.unit, referrer=referrer, urgency=urgency,
        status=ReferralStatus.ACCEPTED, situation=rng.choice(SITUATIONS), first_name=client.first_name,
        last_name=client.last_name, birth_year=client.birth_year, gender=client.gender,
        municipality_code=client.municipality_code, language=client.language, phone=client.phone,
        pensioner=client.pensioner, social_welfare_client=client.social_welfare_client,
        person_key=person_key(client.first_name, client.last_name, client.birth_year),
        consent_by=ConsentBy.REPRESENTATIVE if rng.random() < 0.05 else ConsentBy.CLIENT, consent_on=sent,
        consent_how=ConsentHow.WRITTEN if rng.random() < 0.15 else ConsentHow.VERBAL,
        created_at=_at(sent, rng.randint(8, 15), rng.choice((0, 15, 30, 45))),
        handled_at=_at(start, rng.randint(8, 15)), handled_by=worker, client=client, enrolment=enrolment)


def _consultations(unit: OrgUnit, referrers: list[User], today: date, rng: random.Random) -> list[Referral]:
    """Answered consultations over the past months (half name nobody), and one still waiting."""
    worker = _worker_of(unit)
    rows = []
    for n in range(12):
        question, answer = CONSULTATIONS[n % len(CONSULTATIONS)]
        day = today - timedelta(days=8 + n * 14 + rng.randint(0, 6))
        named = n % 2 == 1
        rows.append(Referral(
            kind=ReferralKind.CONSULTATION, unit=unit, referrer=rng.choice(referrers),
            urgency=Urgency.TODAY if n % 5 == 0 else Urgency.NORMAL, status=ReferralStatus.ANSWERED,
            situation=question, answer=answer, first_name="Matti" if named else None,
            last_name="Pylkkänen" if named else None, birth_year=1948 + n if named else None,
            created_at=_at(day, 9 + n % 6), handled_at=_at(day, 14), handled_by=worker))
    rows.append(Referral(kind=ReferralKind.CONSULTATION, unit=unit, referrer=referrers[0], urgency=Urgency.THIS_WEEK,
                         status=ReferralStatus.OPEN, situation=CONSULTATIONS[1][0],
                         created_at=_at(today - timedelta(days=1), 13)))
    return rows


def _worker_of(unit: OrgUnit) -> User:
    workers = [m.user for m in unit.members if m.user.has_role(Role.WORKER)]
    return sorted(workers, key=lambda u: u.email)[0]


def _waiting(unit: OrgUnit, nurse: User, today: date) -> list[Referral]:
    """Referrals the nurse sent that wait in the inbox: one for today, one this week, one normal."""
    rows = []
    for first, last, year, gender, pensioner, welfare, urgency, days in WAITING:
        sent = today - timedelta(days=max(days, 1))  # sent before the demo's day: nothing later than now
        rows.append(Referral(
            kind=ReferralKind.REFERRAL, unit=unit, referrer=nurse, urgency=urgency, status=ReferralStatus.OPEN,
            situation=SITUATIONS[len(rows) * 2], first_name=first, last_name=last, birth_year=year, gender=gender,
            municipality_code="491", language=ClientLanguage.FI, phone=f"+35840555010{len(rows)}",
            pensioner=pensioner, social_welfare_client=welfare, person_key=person_key(first, last, year),
            consent_by=ConsentBy.CLIENT, consent_on=sent, consent_how=ConsentHow.VERBAL,
            created_at=_at(sent, 8 + len(rows))))
    return rows


def _outcomes(session: Session, enrolments: list[Enrolment], rng: random.Random) -> None:
    """Each held contact's outcome: follow-ups until the last; a client with one contact was served in it.

    The history deals one contact to a quarter of the clients (seed 004: 25 % served in one contact);
    their contact gets "served". Others: every contact but the last booked a follow-up; the last one of an
    ended service served the client or referred them onwards (about one in four).
    """
    held = defaultdict(list)
    ids = [e.id for e in enrolments]
    for contact in session.scalars(select(Contact).where(Contact.enrolment_id.in_(ids),
                                                         Contact.status == ContactStatus.HELD)
                                   .order_by(Contact.starts_at)):
        held[contact.enrolment_id].append(contact)
    booked = set(session.scalars(select(Appointment.enrolment_id).where(
        Appointment.enrolment_id.in_(ids), Appointment.status.in_((AppointmentStatus.BOOKED,
                                                                   AppointmentStatus.CONFIRMED)))))
    for enrolment in enrolments:
        contacts = held.get(enrolment.id, [])
        for contact in contacts[:-1]:
            contact.outcome = ContactOutcome.FOLLOW_UP
        if not contacts:
            continue
        last = contacts[-1]
        ended = enrolment.status is EnrolmentStatus.ENDED
        if enrolment.id in booked:  # the next contact is already in the calendar
            last.outcome = ContactOutcome.FOLLOW_UP
        elif len(contacts) == 1 or ended:
            onwards = len(contacts) > 1 and rng.random() < 0.25
            last.outcome = ContactOutcome.REFERRED_ONWARDS if onwards else ContactOutcome.SERVED
        else:
            last.outcome = ContactOutcome.SERVED
        if enrolment.phase == "referred":
            enrolment.phase = "working"  # contact was made: the work has begun (plans' phase rule, seeded)
