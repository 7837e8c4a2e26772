"""The referrals pages."""

from __future__ import annotations

from portal.referrals import bp  # noqa: F401
