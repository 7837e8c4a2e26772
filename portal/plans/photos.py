"""A staff member's photo: checked like a message attachment (type from the content), then decoded and
re-encoded, so what is stored and served is a plain JPEG of bounded size without the camera's metadata
(a phone photo's EXIF can hold the place where it was taken)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageOps

from portal.i18n import _l
from portal.messages import attachments
from portal.messages.models import MAX_ATTACHMENT_BYTES, AttachmentType
from portal.plans.models import PHOTO_MAX_SIDE, PHOTO_MAX_STORED

MAX_UPLOAD_BYTES = MAX_ATTACHMENT_BYTES
MAX_PIXELS = 40_000_000  # a 40-megapixel camera; checked from the header, before anything is decoded
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the empty IEND chunk with its checksum: a whole PNG ends with it
_FORMATS = {AttachmentType.PNG: "PNG", AttachmentType.JPEG: "JPEG", AttachmentType.WEBP: "WEBP"}


class PhotoError(ValueError):
    """A file that cannot be used as a photo; the message is translated."""


@dataclass
class Photo:
    data: bytes
    width: int
    height: int


def process(data: bytes) -> Photo:
    """The photo as a square JPEG at most PHOTO_MAX_SIDE pixels a side, or PhotoError."""
    if not data:
        raise PhotoError(_l("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoError(_l("The file is too big: at most %(mb)s MB.", mb=MAX_UPLOAD_BYTES // (1024 * 1024)))
    kind = attachments.sniff(data)
    if kind not in _FORMATS:
        raise PhotoError(_l("Only pictures (PNG, JPEG, WebP) can be used as a photo."))
    try:
        return _reencode(data, _FORMATS[kind])
    except PhotoError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, Image.DecompressionBombError) as exc:
        # what a broken or cut-off file raises
        raise PhotoError(_l("The picture could not be read. Try another file.")) from exc


def _reencode(data: bytes, pil_format: str) -> Photo:
    with Image.open(BytesIO(data), formats=[pil_format]) as probe:
        if probe.width * probe.height > MAX_PIXELS:
            raise PhotoError(_l("The picture is too large in pixels. Try a smaller one."))
        # Every chunk's checksum up to the end marker (PNG): a file cut short or damaged on the way is refused
        # even where the decoder alone would have made a picture of what arrived.
        probe.verify()
    if pil_format == "PNG" and PNG_END not in data[-1024:]:  # verify() stops at IEND without reading its checksum
        raise PhotoError(_l("The picture could not be read. Try another file."))
    with Image.open(BytesIO(data), formats=[pil_format]) as image:
        # A JPEG can be decoded at 1/2 to 1/8 scale directly (still at least 512 px a side): a 12-megapixel
        # phone photo then takes a fraction of the time and memory.
        image.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        image.load()  # the whole picture decoded before anything is accepted: missing data fails here
        image = ImageOps.exif_transpose(image)  # phone photos stand the right way up
        # A centred square (the card shows a square; no stylesheet needed to keep the face undistorted).
        side = min(image.width, image.height, PHOTO_MAX_SIDE)
        flat = _on_white(ImageOps.fit(image, (side, side)))
    out = BytesIO()
    flat.save(out, "JPEG", quality=85, optimize=True)
    if out.tell() > PHOTO_MAX_STORED:  # cannot happen at 512 px and quality 85; the table refuses it anyway
        raise PhotoError(_l("The picture could not be read. Try another file."))
    return Photo(out.getvalue(), flat.width, flat.height)


def _on_white(image: Image.Image) -> Image.Image:
    """RGB for JPEG; a transparent background becomes white (not the black that dropping alpha gives)."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image.convert("RGB")
