"""ICE servers for a participant: STUN, and TURN with coturn's REST-API (shared secret) credentials.

coturn's ``use-auth-secret`` scheme: the username is ``<expiry unix time>:<anything>`` and the password
is base64(HMAC-SHA1(secret, username)); coturn recomputes it, so nothing is stored and a credential
stops working at its expiry. We put the participant id after the colon, so coturn's own logs tie a
relay allocation to a participant without naming anyone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time


def turn_credentials(secret: str, who: str, ttl_seconds: int, now: float | None = None) -> tuple[str, str]:
    expiry = int((now if now is not None else time.time()) + ttl_seconds)
    username = f"{expiry}:{who}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(config: dict, who: str) -> dict:
    """The RTCConfiguration ``iceServers`` list for one participant, and how long it is good for.

    Always an explicit list — possibly empty (host candidates only, enough on one network): a client
    left to its defaults may try a public STUN server, and an unreachable one stalls every call setup.
    """
    servers: list[dict] = []
    if config["STUN_URLS"]:
        servers.append({"urls": list(config["STUN_URLS"])})
    ttl = int(config["TURN_TTL_SECONDS"])
    if config["TURN_URLS"] and config["TURN_SECRET"]:
        username, credential = turn_credentials(config["TURN_SECRET"], who, ttl)
        servers.append({"urls": list(config["TURN_URLS"]), "username": username, "credential": credential})
    return {"iceServers": servers, "ttl": ttl}
