"""A client's public keys (JWKS): registered from a file, or fetched from its URL and kept for a while."""

from __future__ import annotations

from datetime import timedelta

import requests
from flask import current_app
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from portal.db import utcnow
from portal.smart.models import ApiClient

FETCH_TIMEOUT_SECONDS = 5
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k"}


class JwksError(ValueError):
    """The JWKS cannot be used; the message says why."""


def checked_jwks(data: object) -> dict:
    """A JWKS of public RSA or EC keys, else ``JwksError`` (a private key is refused: it must not be here)."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or not data["keys"]:
        raise JwksError("expected a JSON Web Key Set: {\"keys\": [...]} with at least one key")
    for key in data["keys"]:
        if not isinstance(key, dict) or key.get("kty") not in {"RSA", "EC"}:
            raise JwksError("only RSA (RS384) and EC P-384 (ES384) keys are accepted")
        if PRIVATE_MEMBERS & set(key):
            raise JwksError("the key set holds a private key: register the public keys only")
    try:
        KeySet.import_key_set(data)
    except (JoseError, ValueError, TypeError) as exc:
        raise JwksError(f"the keys do not parse ({type(exc).__name__})") from None
    return data


def fetch(url: str) -> dict:
    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS, headers={"Accept": "application/json"})
        response.raise_for_status()
        return checked_jwks(response.json())
    except (requests.RequestException, ValueError) as exc:
        raise JwksError(f"could not fetch the key set ({type(exc).__name__})") from None


REFETCH_SECONDS = 60  # an unknown key id fetches a URL's set again, at most this often


def jwks_of(client: ApiClient, kid: str | None = None) -> dict:
    """The keys to verify this client's assertions with; a URL's keys are fetched again when stale, or when the
    assertion names a key id the copy lacks (the service rotated its key; SMART Backend Services)."""
    if client.jwks_url:
        age = utcnow() - client.jwks_fetched_at if client.jwks_fetched_at else None
        known = {k.get("kid") for k in (client.jwks or {}).get("keys", [])}
        stale = age is None or age > timedelta(minutes=current_app.config["API_JWKS_CACHE_MINUTES"])
        rotated = kid is not None and kid not in known and age is not None and age.total_seconds() > REFETCH_SECONDS
        if client.jwks is None or stale or rotated:
            try:
                client.jwks, client.jwks_fetched_at = fetch(client.jwks_url), utcnow()
            except JwksError:
                if client.jwks is None:
                    return {"keys": []}
    return client.jwks or {"keys": []}
