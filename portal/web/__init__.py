"""Shared request plumbing: errors, access decorators, sessions, transactions, security headers."""
