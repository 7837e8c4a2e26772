from portal.interop import bp  # noqa: F401
