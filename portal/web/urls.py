"""Building a page's links: Flask's ``url_for``, remembered per process.

A page builds 20-40 links (the navigation, the forms' actions, the static files), each 7-10 µs in Werkzeug's
builder: about a quarter of a millisecond a page, 2-3 % of its CPU (bench/pages.py). The same endpoint with
the same values always gives the same relative URL under the same script root, so the built URL is kept.

Only the plain case is remembered: inside a request, a relative URL (no ``_external``, ``_scheme``,
``_method`` or ``_anchor``) from values that are strings or integers. Anything else is built by Flask as
before. Silta registers no ``url_defaults`` functions: one that injected request-dependent values would make
remembering wrong, so ``url_for`` raises if the app ever gets one.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.globals import _cv_request

CACHE_SIZE = 4096  # distinct (endpoint, values) pairs kept; past that the cache starts again (ids are unbounded)


class Silta(Flask):
    """Flask, with ``url_for`` remembered for the plain case (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built_urls: dict[tuple, str] = {}

    def url_for(self, /, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values: Any) -> str:
        request_context = _cv_request.get(None)
        if (request_context is None or _anchor is not None or _method is not None or _scheme is not None
                or _external or (values and not all(type(value) in (str, int) for value in values.values()))):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        if endpoint[:1] == ".":  # relative to the request's blueprint: part of the key
            endpoint = f"{request_context.request.blueprint or ''}{endpoint}"
            if endpoint[:1] == ".":
                endpoint = endpoint[1:]
        key = (request_context.url_adapter.script_name, endpoint, *sorted(values.items())) if values else (
            request_context.url_adapter.script_name, endpoint)
        built = self._built_urls.get(key)
        if built is None:
            if self.url_default_functions:
                raise RuntimeError("url_defaults functions make remembered URLs wrong (portal/web/urls.py)")
            built = super().url_for(endpoint, **values)
            if len(self._built_urls) >= CACHE_SIZE:
                self._built_urls.clear()
            self._built_urls[key] = built
        return built
