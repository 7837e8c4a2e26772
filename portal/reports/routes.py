"""The reports pages."""

from __future__ import annotations

from portal.reports import bp  # noqa: F401
