"""SMART on FHIR (App Launch 2 and Backend Services): API clients, their tokens, and the authorisation server.

The FHIR facade (portal/interop) asks ``interop.permissions.current_reader()`` who reads; ``access.py``
puts a bearer token's reader there for requests under /fhir/. The session cookie keeps working as before.
"""

from flask import Blueprint

bp = Blueprint("smart", __name__)
