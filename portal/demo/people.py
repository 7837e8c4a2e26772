"""Demo municipalities and clients, with the background data each programme's seed text reports."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from portal.auth.models import AccountKind, User
from portal.people.models import (
    Client,
    ClientLanguage,
    ContactChannel,
    DiagnosisGroup,
    Gender,
    Municipality,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Place:
    """A municipality; weight is how often demo clients live there, shares are language shares."""

    fi: str
    sv: str
    weight: int
    sv_share: float
    other_share: float
    posts: tuple[tuple[str, str, str], ...]  # (postal code, post town fi, post town sv)


MUNICIPALITIES: dict[str, Place] = {
    "091": Place("Helsinki", "Helsingfors", 1, 0.06, 0.14, (
        ("00530", "Helsinki", "Helsingfors"), ("00940", "Helsinki", "Helsingfors"),
        ("00420", "Helsinki", "Helsingfors"), ("00700", "Helsinki", "Helsingfors"),
        ("00980", "Helsinki", "Helsingfors"), ("00350", "Helsinki", "Helsingfors"))),
    "049": Place("Espoo", "Esbo", 8, 0.07, 0.10, (
        ("02230", "Espoo", "Esbo"), ("02320", "Espoo", "Esbo"), ("02770", "Espoo", "Esbo"))),
    "078": Place("Hanko", "Hangö", 2, 0.45, 0.02, (("10900", "Hanko", "Hangö"),)),
    "149": Place("Inkoo", "Ingå", 1, 0.50, 0.02, (("10210", "Inkoo", "Ingå"),)),
    "224": Place("Karkkila", "Högfors", 1, 0.01, 0.03, (("03600", "Karkkila", "Högfors"),)),
    "235": Place("Kauniainen", "Grankulla", 1, 0.35, 0.04, (("02700", "Kauniainen", "Grankulla"),)),
    "257": Place("Kirkkonummi", "Kyrkslätt", 3, 0.25, 0.04, (("02400", "Kirkkonummi", "Kyrkslätt"),)),
    "444": Place("Lohja", "Lojo", 4, 0.04, 0.03, (("08100", "Lohja", "Lojo"), ("08700", "Lohja", "Lojo"))),
    "710": Place("Raasepori", "Raseborg", 3, 0.65, 0.02, (
        ("10600", "Tammisaari", "Ekenäs"), ("10300", "Karjaa", "Karis"))),
    "755": Place("Siuntio", "Sjundeå", 1, 0.30, 0.02, (("02580", "Siuntio", "Sjundeå"),)),
    "927": Place("Vihti", "Vichtis", 3, 0.02, 0.03, (("03100", "Nummela", "Nummela"), ("03400", "Vihti", "Vichtis"))),
    "398": Place("Lahti", "Lahtis", 6, 0.005, 0.08, (
        ("15100", "Lahti", "Lahtis"), ("15140", "Lahti", "Lahtis"), ("15610", "Lahti", "Lahtis"))),
    "111": Place("Heinola", "Heinola", 1, 0.003, 0.03, (("18100", "Heinola", "Heinola"),)),
    "098": Place("Hollola", "Hollola", 2, 0.003, 0.02, (("15870", "Hollola", "Hollola"),)),
    "560": Place("Orimattila", "Orimattila", 1, 0.003, 0.03, (("16300", "Orimattila", "Orimattila"),)),
    "491": Place("Mikkeli", "S:t Michel", 1, 0.003, 0.03, (
        ("50100", "Mikkeli", "S:t Michel"), ("50130", "Mikkeli", "S:t Michel"), ("50170", "Mikkeli", "S:t Michel"))),
}

@dataclass(frozen=True)
class ClientProfile:
    """Background data of one programme's clients, from what its seed text reports."""

    count: int
    ages: tuple[int, int, int | None]  # youngest, oldest, most common (None: all ages alike)
    other_gender: float
    disability_pension: float  # share of the under-65s who are pensioners all the same
    welfare_client: float  # share who already have a social-welfare client relationship
    home_visits: float  # share who prefer home visits to remote contacts


CLIENT_PROFILES = {
    "000": ClientProfile(17, (20, 68, None), 0.05, 0.30, 0.95, 0.10),
    "001": ClientProfile(40, (19, 82, 45), 0.03, 0.35, 0.80, 0.05),
    "002": ClientProfile(13, (18, 29, None), 0.06, 0.03, 0.90, 0.05),
    "003": ClientProfile(12, (22, 78, 46), 0.03, 0.25, 1.00, 0.10),
    # Seed 004: ages 20–95 with a mean of 62 (triangular mean (20+95+72)/3), 70 % pensioners,
    # 60 % without a social-welfare client relationship.
    "004": ClientProfile(20, (20, 95, 72), 0.02, 0.42, 0.40, 0.10),
}


@dataclass(frozen=True)
class FixedClient:
    """A client the README lists as a demo login; the enrolment hints are used by ``history``."""

    first: str
    last: str
    email: str
    age: int
    gender: Gender
    municipality: str
    language: ClientLanguage
    serves: str
    coordinator: str
    deputy: str | None
    started_days_ago: int
    phase: str
    diagnosis: DiagnosisGroup | None = None


FIXED_CLIENTS = (
    FixedClient("Aino", "Mäkelä", "asiakas.aino@silta.example", 41, Gender.FEMALE, "091", ClientLanguage.FI,
                "000", "sanna.virtanen@silta.example", "laura.heikkinen@silta.example", 150, "guidance",
                DiagnosisGroup.MOOD),
    FixedClient("Elsa", "Holmström", "klient.elsa@silta.example", 58, Gender.FEMALE, "710", ClientLanguage.SV,
                "001", "mikael.lindqvist@silta.example", "camilla.nystrom@silta.example", 60, "queue"),
    FixedClient("Juho", "Nieminen", "client.juho@silta.example", 22, Gender.MALE, "398", ClientLanguage.FI,
                "002", "anna.korhonen@silta.example", "ville.lehtonen@silta.example", 70, "intensive"),
)

# First names by generation, because a 90-year-old Aili and a 20-year-old Aada read true.
FI_FIRST = {
    ("female", "young"): "Ella Nea Iida Veera Siiri Pinja Aada Emilia Jenna Sara Noora Venla".split(),
    ("male", "young"): "Aleksi Joonas Eetu Niko Jere Roope Santeri Miro Valtteri Onni Lauri Elias".split(),
    ("female", "mid"): "Johanna Laura Hanna Tiina Sari Minna Satu Katja Heidi Anne Kirsi Elina Jaana Susanna".split(),
    ("male", "mid"): "Jari Mika Timo Juha Petri Markku Janne Sami Antti Marko Kari Tuomas Matti Heikki".split(),
    ("female", "old"): "Aili Helvi Kerttu Irja Sirkka Raili Eila Terttu Pirkko Marjatta Anneli Liisa Ritva".split(),
    ("male", "old"): "Eino Toivo Väinö Reino Veikko Pentti Erkki Seppo Kalevi Tapio Unto Martti Raimo Esko".split(),
}
SV_FIRST = {
    ("female", "young"): "Ebba Linnea Saga Wilma Ida Ellen Alva Emma".split(),
    ("male", "young"): "Axel Emil Oskar Rasmus Anton Hugo Lucas Isak".split(),
    ("female", "mid"): "Annika Sara Pia Malin Jessica Katarina Mia Johanna".split(),
    ("male", "mid"): "Johan Fredrik Magnus Patrik Stefan Kristian Jonas Niklas".split(),
    ("female", "old"): "Ulla Britt Gunilla Ingrid Margareta Birgitta Marianne Gun".split(),
    ("male", "old"): "Göran Kaj Gunnar Rolf Lars Bengt Håkan Christer".split(),
}
FI_LAST = ("Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen Lehtonen "
           "Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen Salonen Turunen Salo Laitinen Tuominen "
           "Rantanen Karjalainen Jokinen Mattila Lahtinen Ahonen Miettinen").split()
# Mikkeli is in Savo: its own surnames are the common ones there.
SAVO_LAST = "Hyvönen Partanen Kärkkäinen Pitkänen Väisänen Tikkanen Ruotsalainen Kokkonen Hirvonen Manninen".split()
SV_LAST = ("Holmström Lindqvist Johansson Nyström Lindholm Karlsson Andersson Eriksson Lindberg Sjöberg Wikström "
           "Blomqvist Lundström Gustafsson Forsström Nordström Öhman Sundström Westerlund Ekholm").split()
OTHER_NAMES = {
    "female": [("Olga", "Ivanova"), ("Hodan", "Ali"), ("Maryam", "Hosseini"), ("Kadri", "Saar"),
               ("Thi Lan", "Nguyen"), ("Amina", "Yusuf"), ("Natalia", "Kovalenko")],
    "male": [("Dmitri", "Smirnov"), ("Abdi", "Mohamed"), ("Ali", "Rahimi"), ("Kristjan", "Tamm"),
             ("Ahmed", "Hassan"), ("Oleksandr", "Bondarenko"), ("Minh", "Tran")],
}
STREETS_FI = "Koivukuja Rantatie Myllytie Kirkkotie Asematie Puistokatu Koulukatu Mäntytie Pihlajatie Harjutie".split()
STREETS_SV = "Björkvägen Strandvägen Kyrkogatan Skolgatan Stationsvägen Kvarnvägen Parkgatan Åkervägen".split()
MOBILE_PREFIXES = ("40", "44", "45", "50", "41", "46")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
CONTACT_NOTES = ("Soittoja toivotaan iltapäivisin.", "Ovikello ei toimi, soita saavuttuasi.",
                 "Tulkki tarvitaan tapaamisiin.", "Lemmikkikoira kotona.")


class Decks:
    """Draws from shuffled decks, refilled when empty, so that a sample of 15 still shows the shares
    the seed texts report (70 % pensioners stays near 70 %, not anywhere from 45 to 90)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._decks: dict[tuple, list] = {}

    def draw(self, key: tuple, cards: Sequence[T]) -> T:
        deck = self._decks.get(key)
        if not deck:
            deck = self._decks[key] = list(cards)
            self.rng.shuffle(deck)
        return deck.pop()

    def chance(self, key: tuple, share: float, size: int = 20) -> bool:
        hits = round(share * size)
        return self.draw(key, [True] * hits + [False] * (size - hits))


def ascii_name(text: str) -> str:
    """'Päivi Hyvönen' → 'paivi.hyvonen': Finnish letters folded, for e-mail addresses."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(folded.lower().replace("-", "").split())


class ClientFactory:
    """Makes clients for one demo run; remembers names and e-mails used so none repeats."""

    def __init__(self, rng: random.Random, decks: Decks, today: date, password_hash: str):
        self.rng, self.decks = rng, decks
        self.today = today
        self.password_hash = password_hash
        self.names: set[tuple[str, str]] = {(f.first, f.last) for f in FIXED_CLIENTS}
        self.emails: set[str] = {f.email for f in FIXED_CLIENTS}

    def fixed(self, spec: FixedClient, municipalities: dict[str, Municipality]) -> Client:
        """A README demo login: the client and an account with the demo password."""
        client = self._client(spec.first, spec.last, self.today.year - spec.age, spec.gender,
                              municipalities[spec.municipality], spec.language)
        client.diagnosis_group = spec.diagnosis
        client.social_welfare_client = True
        client.email = spec.email
        client.preferred_channel = ContactChannel.EMAIL
        locale = "sv" if spec.language is ClientLanguage.SV else "fi"
        client.user = User(kind=AccountKind.CLIENT, email=spec.email, display_name=f"{spec.first} {spec.last}",
                           locale=locale, password_hash=self.password_hash)
        return client

    def random(self, profile: ClientProfile, unit_places: list[Municipality], records_diagnosis: bool) -> Client:
        """One client with the background data the programme's seed text describes."""
        rng, decks = self.rng, self.decks
        age = self._age(profile)
        gender = self._gender(profile)
        municipality = rng.choices(unit_places, [MUNICIPALITIES[m.code].weight for m in unit_places])[0]
        language = self._language(MUNICIPALITIES[municipality.code])
        first, last = self._name(language, gender, age, municipality.code)
        client = self._client(first, last, self.today.year - age, gender, municipality, language)
        client.pensioner = age >= 65 or decks.chance((profile, "pension"), profile.disability_pension, size=10)
        client.social_welfare_client = decks.chance((profile, "welfare"), profile.welfare_client)
        client.prefers_home_visits = decks.chance((profile, "home"), profile.home_visits)
        if records_diagnosis:
            client.diagnosis_group = decks.draw(("diagnosis",), (DiagnosisGroup.PSYCHOSIS, DiagnosisGroup.MOOD))
        self._contact_details(client, age)
        return client

    def _client(self, first, last, birth_year, gender, municipality, language) -> Client:
        client = Client(first_name=first, last_name=last, birth_year=birth_year, gender=gender,
                        municipality=municipality, language=language, pensioner=False,
                        social_welfare_client=False, prefers_home_visits=False, phone=self._phone())
        client.address = self._address(MUNICIPALITIES[municipality.code], language)
        return client

    def _age(self, profile: ClientProfile) -> int:
        """Stratified over the profile's clients, so a small group still has the reported mean age."""
        low, high, mode = profile.ages
        stratum = self.decks.draw((profile, "age"), range(profile.count))
        u = (stratum + self.rng.random()) / profile.count
        if mode is None:
            return low + int(u * (high + 1 - low))
        return min(high, int(_triangular(u, low, high + 1, mode)))

    def _gender(self, profile: ClientProfile) -> Gender:
        if self.rng.random() < profile.other_gender:
            return Gender.OTHER
        return self.decks.draw(("gender",), (Gender.FEMALE, Gender.MALE))

    def _language(self, place: Place) -> ClientLanguage:
        draw = self.rng.random()
        if draw < place.sv_share:
            return ClientLanguage.SV
        return ClientLanguage.OTHER if draw < place.sv_share + place.other_share else ClientLanguage.FI

    def _name(self, language: ClientLanguage, gender: Gender, age: int, municipality: str) -> tuple[str, str]:
        rng = self.rng
        sex = gender.value if gender in (Gender.FEMALE, Gender.MALE) else rng.choice(("female", "male"))
        generation = "young" if age < 33 else "old" if age >= 66 else "mid"
        for attempt in range(100):
            # The short list of other-language names runs out first: then a Finnish name will do.
            if language is ClientLanguage.OTHER and attempt < 20:
                first, last = rng.choice(OTHER_NAMES[sex])
            elif language is ClientLanguage.SV:
                first, last = rng.choice(SV_FIRST[sex, generation]), rng.choice(SV_LAST)
            else:
                savo = municipality == "491" and rng.random() < 0.6
                first, last = rng.choice(FI_FIRST[sex, generation]), rng.choice(SAVO_LAST if savo else FI_LAST)
            if (first, last) not in self.names:
                break
        self.names.add((first, last))
        return first, last

    def _phone(self) -> str:
        return f"+358{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**7):07d}"

    def _address(self, place: Place, language: ClientLanguage) -> str:
        rng = self.rng
        postal, town_fi, town_sv = rng.choice(place.posts)
        sv = language is ClientLanguage.SV
        street = f"{rng.choice(STREETS_SV if sv else STREETS_FI)} {rng.randint(1, 48)}"
        if rng.random() < 0.6:  # most live in blocks of flats
            street += f" {rng.choice('ABCD')} {rng.randint(1, 40)}"
        return f"{street}, {postal} {town_sv if sv else town_fi}"

    def _contact_details(self, client: Client, age: int) -> None:
        rng = self.rng
        if self.decks.chance(("email", age < 70), 0.55 if age < 70 else 0.15):
            client.email = self._email(client)
        channels = [ContactChannel.SMS, ContactChannel.PHONE, ContactChannel.LETTER]
        weights = [6, 3 if age < 70 else 6, 1 if age < 70 else 3]
        if client.email:
            channels.append(ContactChannel.EMAIL)
            weights.append(3)
        client.preferred_channel = rng.choices(channels, weights)[0]
        if rng.random() < 0.1:
            client.contact_notes = rng.choice(CONTACT_NOTES)
        # About a third have signed in with Suomi.fi: an account, but no local password.
        if client.email and self.decks.chance(("login",), 0.65):
            other = rng.choice(("fi", "en"))
            locale = {ClientLanguage.SV: "sv", ClientLanguage.OTHER: other}.get(client.language, "fi")
            client.user = User(kind=AccountKind.CLIENT, email=client.email, display_name=client.full_name,
                               locale=locale)

    def _email(self, client: Client) -> str:
        base = ascii_name(f"{client.first_name} {client.last_name}")
        email, n = f"{base}@{self.rng.choice(EMAIL_DOMAINS)}", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@{email.split('@')[1]}"
        self.emails.add(email)
        return email


def _triangular(u: float, low: float, high: float, mode: float) -> float:
    """The triangular distribution's inverse CDF at ``u`` in [0, 1)."""
    split = (mode - low) / (high - low)
    if u < split:
        return low + ((high - low) * (mode - low) * u) ** 0.5
    return high - ((high - low) * (high - mode) * (1 - u)) ** 0.5
