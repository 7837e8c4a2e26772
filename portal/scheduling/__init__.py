"""Scheduling: appointments for every programme's contacts, with no double booking."""
