"""The test session's one Playwright.

Playwright's sync API keeps an asyncio event loop running in the thread that started it, and a second
``sync_playwright().start()`` in that thread fails ("using Playwright Sync API inside the asyncio
loop"). Every browser test — the shared Chromium of tests/browser, the video-call tests' own
Chromiums in network namespaces — therefore launches its browsers from this one instance, which
tests/conftest.py stops at the end of the session. Code that needs ``asyncio.run`` while it is alive
uses ``run_async``.
"""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

_state: dict = {}


def playwright():
    """The session's Playwright (sync API), started on first use."""
    if "instance" not in _state:
        from playwright.sync_api import sync_playwright

        _state["instance"] = sync_playwright().start()
    return _state["instance"]


def stop() -> None:
    instance = _state.pop("instance", None)
    if instance is not None:
        instance.stop()


def run_async(coroutine):
    """``asyncio.run`` in a thread of its own: the main thread may hold Playwright's running loop.

    The caller's context variables (Flask's app context among them) go along, so a scenario may use
    the test's app context as it would with a plain ``asyncio.run``.
    """
    context = contextvars.copy_context()
    with ThreadPoolExecutor(1, thread_name_prefix="silta-asyncio") as pool:
        return pool.submit(context.run, asyncio.run, coroutine).result()
