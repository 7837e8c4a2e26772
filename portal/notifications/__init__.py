"""Notifications: reminders and notices by email and text message, through pluggable backends."""
