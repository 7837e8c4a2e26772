"""Checking an uploaded file: its type from its first bytes, its size, a safe file name."""

from __future__ import annotations

import re

from portal.i18n import _l
from portal.messages.models import MAX_ATTACHMENT_BYTES, AttachmentType

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", AttachmentType.PNG), (b"\xff\xd8\xff", AttachmentType.JPEG),
               (b"%PDF-", AttachmentType.PDF))
_SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


class AttachmentError(ValueError):
    """A file that cannot be attached; the message is translated."""


def sniff(data: bytes) -> AttachmentType | None:
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return AttachmentType.WEBP
    return None


def check(filename: str, data: bytes) -> tuple[str, AttachmentType]:
    """A safe name and the sniffed type, or AttachmentError (empty, too big, not an image or PDF)."""
    if not data:
        raise AttachmentError(_l("The file is empty."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentError(_l("The file is too big: at most %(mb)s MB.", mb=MAX_ATTACHMENT_BYTES // (1024 * 1024)))
    kind = sniff(data)
    if kind is None:
        raise AttachmentError(_l("Only pictures (PNG, JPEG, WebP) and PDF files can be attached."))
    return safe_name(filename, kind), kind


def safe_name(filename: str, kind: AttachmentType) -> str:
    """The name without a path or odd characters, ending in the extension of what the file really is."""
    base = _SAFE_NAME.sub("_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" ._") or "file"
    stem = base.rsplit(".", 1)[0][:100] or "file"
    return f"{stem}.{EXTENSIONS[kind]}"


EXTENSIONS = {AttachmentType.PNG: "png", AttachmentType.JPEG: "jpg", AttachmentType.WEBP: "webp",
              AttachmentType.PDF: "pdf"}
