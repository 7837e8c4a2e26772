"""Running an installation: the checks, backups and restores behind the ``silta`` command (portal/cli.py).

Plumbing, like ``web/``: it knows the database, Redis and the settings, never a feature's tables.
"""
