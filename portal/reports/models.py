"""Reports keep no tables of their own; they count from the features' tables."""

from __future__ import annotations
