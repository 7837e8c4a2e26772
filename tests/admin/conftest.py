"""``english`` (pages read in English): the accounts tests' fixture, shared."""

from tests.auth.conftest import english  # noqa: F401
