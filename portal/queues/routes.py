"""The queues pages."""

from __future__ import annotations

from portal.queues import bp, operations  # noqa: F401

# A granted decision (intake) puts the client into a queue: connected here, once, with the blueprint.
operations.init_receivers()
