"""Permissions-Policy: which browser features a page may use. None of the powerful ones, except camera and
microphone on the pages a feature names (the video room with its device check and echo test).

Plumbing knows no feature: a blueprint names its media pages with ``allow_media(bp, "room")`` and the
header is chosen per response from the endpoint that answered.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request

# Features no Silta page uses: denied to the page and to anything it could embed.
DENIED = ("accelerometer", "display-capture", "geolocation", "gyroscope", "magnetometer", "midi", "payment",
          "publickey-credentials-get", "usb")
POLICY = ", ".join(f"{feature}=()" for feature in ("camera", "microphone", *DENIED))
MEDIA_POLICY = ", ".join(["camera=(self)", "microphone=(self)", *(f"{feature}=()" for feature in DENIED)])
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
