"""Demo networks (seeds 003 and 004): the professionals outside Silta who work with some clients.

PPT clients (Helsinki) have their health station's doctor, often a pharmacy, and — when they are social-welfare
clients too — the social worker of adult social work in parallel. Clients of Mikkeli's health social work
(seed 004) often work with the health centre's asiakasvastaava. Aino, a demo login, wished to see her doctor
in the client portal. Everything is dated before today; the client's consent is recorded per contact.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.network.models import NetworkContact, NetworkRole
from portal.people.models import Client
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.timeutil import local

AINO = "asiakas.aino@silta.example"
DOCTORS = ["Laura Hiltunen", "Pekka Rautio", "Sari Vuorinen", "Juha Kettunen"]
SOCIAL_WORKERS = ["Minna Lahtinen", "Tero Hakala", "Kirsi Räsänen"]
COORDINATORS = ["Elina Huttunen", "Marjo Tikkanen"]
PPT_PLACES = [("Kalasataman terveysasema", "Kalasataman apteekki"), ("Malmin terveysasema", "Malmin apteekki"),
              ("Vuosaaren terveysasema", "Vuosaaren apteekki")]


def seed_network(session: Session, enrolments: list[Enrolment], today: date) -> int:
    """Network contacts for the clients of PPT and health social work, and Aino's; returns how many."""
    rows: list[NetworkContact] = []
    seen: set[int] = set()
    for enrolment in sorted(enrolments, key=lambda e: e.id):
        if enrolment.status is not EnrolmentStatus.ACTIVE or enrolment.client_id in seen:
            continue
        rng = random.Random(f"network-{enrolment.client_id}")
        if enrolment.programme_code == "many-services":
            rows += _ppt(enrolment, rng, today)
        elif enrolment.programme_code == "health-social-work" and rng.random() < 0.5:
            rows += _health_centre(enrolment, rng, today)
        else:
            continue
        seen.add(enrolment.client_id)
    aino = session.scalar(select(Client).where(Client.user.has(email=AINO)))
    aino_enrolment = next((e for e in enrolments if aino is not None and e.client_id == aino.id), None)
    if aino_enrolment is not None and aino.id not in seen:
        rows += _aino(aino_enrolment, today)
    session.add_all(rows)
    session.flush()
    return len(rows)


def _when(enrolment: Enrolment, today: date, days: int) -> datetime:
    return local(min(enrolment.start_on + timedelta(days=days), today - timedelta(days=1)), time(11))


def _contact(enrolment: Enrolment, today: date, days: int, **values) -> NetworkContact:
    at = _when(enrolment, today, days)
    return NetworkContact(client_id=enrolment.client_id, created_by_id=enrolment.coordinator_id, created_at=at,
                          updated_at=at, **values)


def _ppt(enrolment: Enrolment, rng: random.Random, today: date) -> list[NetworkContact]:
    station, pharmacy = rng.choice(PPT_PLACES)
    rows = [_contact(enrolment, today, 2, role=NetworkRole.DOCTOR, name=rng.choice(DOCTORS), organisation=station,
                     phone=f"+358 9 123 46{rng.randint(10, 99)}", consent_to_contact=True,
                     shown_to_client=rng.random() < 0.5)]
    if rng.random() < 0.5:
        rows.append(_contact(enrolment, today, 3, role=NetworkRole.PHARMACY, organisation=pharmacy,
                             phone=f"+358 9 123 47{rng.randint(10, 99)}", consent_to_contact=rng.random() < 0.8))
    if enrolment.client.social_welfare_client:  # parallel support from social welfare
        rows.append(_contact(enrolment, today, 4, role=NetworkRole.SOCIAL_WELFARE_WORKER,
                             name=rng.choice(SOCIAL_WORKERS), organisation="Aikuissosiaalityö, Helsinki",
                             phone=f"+358 9 123 48{rng.randint(10, 99)}", consent_to_contact=rng.random() < 0.85,
                             shown_to_client=True))
    return rows


def _health_centre(enrolment: Enrolment, rng: random.Random, today: date) -> list[NetworkContact]:
    rows = [_contact(enrolment, today, 1, role=NetworkRole.CLIENT_COORDINATOR, name=rng.choice(COORDINATORS),
                     organisation="Mikkelin terveysasema", phone=f"+358 15 123 45{rng.randint(10, 99)}",
                     consent_to_contact=True, shown_to_client=True)]
    if enrolment.client.social_welfare_client:
        rows.append(_contact(enrolment, today, 2, role=NetworkRole.SOCIAL_WELFARE_WORKER,
                             name=rng.choice(SOCIAL_WORKERS), organisation="Etelä-Savon hyvinvointialue, "
                             "aikuissosiaalityö", phone=f"+358 15 123 46{rng.randint(10, 99)}",
                             consent_to_contact=rng.random() < 0.8))
    return rows


def _aino(enrolment: Enrolment, today: date) -> list[NetworkContact]:
    return [_contact(enrolment, today, 5, role=NetworkRole.DOCTOR, name="Laura Hiltunen",
                     organisation="Kalasataman terveysasema", phone="+358 9 123 4610", consent_to_contact=True,
                     shown_to_client=True),
            _contact(enrolment, today, 5, role=NetworkRole.PHARMACY, organisation="Kalasataman apteekki",
                     phone="+358 9 123 4710", consent_to_contact=False)]
