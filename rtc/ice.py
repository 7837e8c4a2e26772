"""ICE and SDP helpers for aiortc peers: the configuration from Silta's ICE-server list, and candidates in
the shape browsers trickle them (``RTCIceCandidateInit``)."""

from __future__ import annotations

from aiortc import RTCConfiguration, RTCIceServer, RTCIceTransportPolicy
from aiortc.sdp import candidate_from_sdp


def ice_configuration(servers: list[dict], *, relay_only: bool = False) -> RTCConfiguration:
    """``RTCConfiguration`` from the JSON of ``/video/ice-servers``; always an explicit list.

    (``iceServers=None`` would make aiortc use a public STUN server and stall when it is unreachable.)
    """
    ice = [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
           for s in servers]
    policy = RTCIceTransportPolicy.RELAY if relay_only else RTCIceTransportPolicy.ALL
    return RTCConfiguration(iceServers=ice, iceTransportPolicy=policy)


def browser_candidate(value: dict | None):
    """A trickled browser candidate (``RTCIceCandidateInit``) as aiortc's object; None = end of candidates."""
    text = (value or {}).get("candidate") or ""
    if not text:
        return None
    candidate = candidate_from_sdp(text.split(":", 1)[1] if text.startswith("candidate:") else text)
    candidate.sdpMid = value.get("sdpMid")
    candidate.sdpMLineIndex = value.get("sdpMLineIndex")
    return candidate


def split_candidates(sdp: str) -> tuple[str, list[dict]]:
    """An SDP without its candidate lines, and those of the first (bundled) section as trickle messages."""
    kept, candidates, section, mid = [], [], -1, None
    for line in sdp.splitlines():
        if line.startswith("m="):
            section, mid = section + 1, None
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:"):]
        if line.startswith("a=candidate:") or line == "a=end-of-candidates":
            if section == 0 and line.startswith("a=candidate:"):
                candidates.append({"candidate": line[2:], "sdpMid": mid, "sdpMLineIndex": 0})
            continue
        kept.append(line)
    return "\r\n".join(kept) + "\r\n", candidates
