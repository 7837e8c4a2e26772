"""OpenID Connect clients (authlib), one per configured identity provider.

``OIDC_PROVIDERS`` (``PORTAL_OIDC_PROVIDERS`` as JSON) maps a short name to::

    {"issuer": "https://idp.example", "client_id": "...", "client_secret": "...",
     "kind": "staff" | "client", "match_email": false,
     "label": {"fi": "...", "sv": "...", "en": "..."},
     "identity_claims": ["urn:oid:1.2.246.21"]}

``identity_claims`` (a clients' provider: the claims that may carry the personal identity code; default
Suomi.fi's ``urn:oid:1.2.246.21``, then ``national_identification_number`` and
``nationalIdentificationNumber``) lets a first login find its client: the people feature registers a
binder for the "client" kind (``register_binder``) that matches the code's keyed hash to one client.

Workers sign in through the organisation's provider; clients through Suomi.fi e-identification,
which offers OIDC. Every login uses the authorization code flow with PKCE (S256), and authlib checks
the state and the ID token's nonce, issuer, audience and signature.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

_KEY = "silta.oauth"


def init_app(app: Flask) -> None:
    # An OAuth registry per app, not a module global: each app may have its own providers.
    oauth = OAuth(app)
    for name, conf in app.config["OIDC_PROVIDERS"].items():
        oauth.register(
            name=name,
            client_id=conf["client_id"],
            client_secret=conf.get("client_secret"),
            server_metadata_url=conf["issuer"].rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": conf.get("scope", "openid profile email"), "code_challenge_method": "S256"},
        )
    app.extensions[_KEY] = oauth


def providers() -> dict[str, dict]:
    return current_app.config["OIDC_PROVIDERS"]


def client(name: str):
    return current_app.extensions[_KEY].create_client(name) if name in providers() else None


def register_binder(app: Flask, kind: str, binder) -> None:
    """``binder(provider, claims) -> User | None`` finds the account of a first login of ``kind`` (a feature
    registers it, so auth needs to know nothing about clients)."""
    app.extensions.setdefault("silta.oidc_binders", {})[kind] = binder


def binder(kind: str):
    return current_app.extensions.get("silta.oidc_binders", {}).get(kind)
