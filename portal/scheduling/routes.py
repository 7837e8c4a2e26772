from portal.scheduling import bp  # noqa: F401
