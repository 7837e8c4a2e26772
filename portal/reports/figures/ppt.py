"""Placeholder: figures follow."""

FIGURES: list = []
