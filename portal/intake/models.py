"""Intake items, service-needs assessments, decision meetings and decisions (seed 001)."""

from __future__ import annotations
