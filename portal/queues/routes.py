"""The queues pages."""

from __future__ import annotations

from portal.queues import bp  # noqa: F401
