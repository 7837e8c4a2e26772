"""The Finnish personal identity code (henkilötunnus): validation, and the keyed hash Silta stores.

Format ``DDMMYYCZZZQ``: birth date, century sign, individual number, check character. Century signs
(Valtioneuvoston asetus 128/2010 as amended for 2023): ``+`` 1800s; ``-``, ``Y``, ``X``, ``W``, ``V``,
``U`` 1900s; ``A``, ``B``, ``C``, ``D``, ``E``, ``F`` 2000s. The check character is the nine digits
as one number modulo 31, looked up in ``0123456789ABCDEFHJKLMNPRSTUVWXY``. An odd individual number
is a man's, an even one a woman's (as the code itself says; the client's gender is asked separately).

Silta never stores, logs or echoes the code: only ``identity_hash`` — HMAC-SHA256 under the server key
``IDENTITY_HASH_KEY`` (``PORTAL_IDENTITY_HASH_KEY``) — so that a Suomi.fi login, whose claims carry the
code, finds its client. A plain hash would not do: there are only about 10^9 possible codes, so an
unkeyed hash is reversed by enumeration in minutes. Losing the key loses no data, but no stored hash
matches any more: every client must have their code entered again before Suomi.fi can bind them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from flask import current_app

from portal.i18n import _l
from portal.people.models import Gender

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
_SHAPE = re.compile(r"^(\d{2})(\d{2})(\d{2})(.)(\d{3})(.)$")


class InvalidIdentityCode(ValueError):
    """The code is not a valid identity code; ``message`` says why, translated, without echoing it."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IdentityCode:
    normalized: str
    birth_date: date
    gender: Gender


def parse(raw: str) -> IdentityCode:
    """Validate ``raw`` (spaces ignored, letters in any case) or raise InvalidIdentityCode."""
    code = re.sub(r"\s+", "", raw or "").upper()
    match = _SHAPE.match(code)
    if match is None:
        raise InvalidIdentityCode(_l("An identity code has 11 characters: birth date, century sign, "
                                     "three digits and a check character, e.g. 131052-308T."))
    day, month, year, sign, individual, check = match.groups()
    if sign not in CENTURIES:
        raise InvalidIdentityCode(_l("The century sign (the 7th character) must be +, -, Y, X, W, V, U, "
                                     "A, B, C, D, E or F."))
    try:
        born = date(CENTURIES[sign] + int(year), int(month), int(day))
    except ValueError:
        raise InvalidIdentityCode(_l("The first six digits of the identity code are not a real date.")) from None
    if individual in ("000", "001"):
        raise InvalidIdentityCode(_l("The individual number (digits 8–10) cannot be 000 or 001."))
    if CHECK_CHARACTERS[int(day + month + year + individual) % 31] != check:
        raise InvalidIdentityCode(_l("The check character does not match: please check the identity code."))
    if born > date.today():
        raise InvalidIdentityCode(_l("The birth date in the identity code is in the future."))
    gender = Gender.MALE if int(individual) % 2 else Gender.FEMALE
    return IdentityCode(normalized=code, birth_date=born, gender=gender)


def identity_hash(code: IdentityCode | str) -> str:
    """The keyed hash stored for a code (64 hex characters). A string is parsed first."""
    normalized = code.normalized if isinstance(code, IdentityCode) else parse(code).normalized
    # Each person has exactly one code (the 2023 signs only widened the space for new codes), so the
    # normalized code as written is the identity.
    key = current_app.config["IDENTITY_HASH_KEY"].encode()
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()
