"""Queues per housing service, housing units, vacancies, offers and residencies (seed 001)."""

from __future__ import annotations
