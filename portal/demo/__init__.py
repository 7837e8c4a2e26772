"""A deterministic demo county: units, staff, clients, enrolments and a year of contacts.

``portal.demo.seed.seed_demo`` builds it; the embedded default runs it at start-up on an empty
database so that the portal can be tried with the logins in ``DEMO_LOGINS``.
"""
