from portal.appointments import bp  # noqa: F401
