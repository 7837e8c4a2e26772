"""Permissions-Policy: which browser features a page may use. None of the powerful ones, except camera,
microphone and screen sharing on the pages a feature names (the video room with its device check and echo
test).

Plumbing knows no feature: a blueprint names its media pages with ``allow_media(bp, "room")`` and the
header is chosen per response from the endpoint that answered.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request

# Features no Silta page uses: denied to the page and to anything it could embed.
DENIED = ("accelerometer", "geolocation", "gyroscope", "magnetometer", "midi", "payment",
          "publickey-credentials-get", "usb")
# What a call uses: camera, microphone, and screen sharing (getDisplayMedia needs display-capture).
MEDIA = ("camera", "microphone", "display-capture")
POLICY = ", ".join(f"{feature}=()" for feature in (*MEDIA, *DENIED))
MEDIA_POLICY = ", ".join([*(f"{feature}=(self)" for feature in MEDIA), *(f"{feature}=()" for feature in DENIED)])
EXTENSION = "silta.media_endpoints"


def allow_media(bp: Blueprint, *views: str) -> None:
    """Camera and microphone for these views of ``bp`` (named without the blueprint's prefix)."""
    bp.record_once(lambda state: state.app.extensions.setdefault(EXTENSION, set()).update(
        f"{bp.name}.{view}" for view in views))


def init_app(app: Flask) -> None:
    app.extensions.setdefault(EXTENSION, set())

    @app.after_request
    def permissions_policy(response: Response) -> Response:
        media = request.endpoint in current_app.extensions[EXTENSION]
        response.headers.setdefault("Permissions-Policy", MEDIA_POLICY if media else POLICY)
        return response
