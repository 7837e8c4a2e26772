from portal.notifications import bp  # noqa: F401
