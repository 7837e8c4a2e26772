"""Referrals and consultations from primary-care staff (seed 004)."""

from __future__ import annotations
