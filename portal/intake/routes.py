"""The intake pages."""

from __future__ import annotations

from portal.intake import bp  # noqa: F401
