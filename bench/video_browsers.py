"""Chromium ↔ Chromium through Silta: join → both decoded a remote frame. ``python -m bench.video_browsers``

Chromium ignores loopback for ICE (../shared/STACK.md), so this runs as the browser call tests do
(tests/browser/test_video_call.py): two private network namespaces joined by a veth pair
(tests/support/netns.py), the Silta web process (tests/support/rtc.py, no echo bot) and the worker's
headless Chromium in the first, the client's in the second, both with the fake camera and microphone.
The data is bench/video.py's: a worker and a client who sign in through the real login form, and one
fresh ad-hoc room with auto-admit on per run (portal.video.operations), so every run is a new call.

Each run, after one warm-up: both pages open the room and reach the pre-call check with the camera
preview playing (untimed). Then a ``setTimeout`` armed in the page clicks *join* at a given wall-clock
instant, and each page samples its own ``getStats`` (``silta.room.call.stats()``) every 10 ms, noting
``performance.timeOrigin + performance.now()`` when it is in the call, when ICE is connected and when
it has decoded a remote video frame. Python polls those notes (plain evaluates, never
``wait_for_function``, which takes an async predicate's Promise as truthy). Both browsers read the same
machine clock, so the notes of the two pages compare directly.

By default the worker joins first (untimed, as in bench/video.py) and the clock starts at the client's
join click; it stops when **both** have decoded a remote frame. ``--together`` arms both clicks for the
same instant (≤ 2 ms apart) and starts the clock at the earlier one. That is not the default because
simultaneous joins race in the server (portal/video/signaling.py ``on_join``: a participant is committed
as in the call before its socket joins the Socket.IO room, so the other's ``peer-joined`` can be lost
and neither side offers); such a call never connects and is counted, not timed. Both pages leave after
each run.

The pre-call network test finds no echo bot here and is cut short by the join click, as it is for
anyone who joins at once. It prints the medians and the 90th percentile; the two Chromiums, Silta and
this process share the machine's cores. Silta, the browsers and the namespaces are gone however it
ends (Ctrl+C included).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from bench.video import PASSWORD, _people_and_rooms, _report
from portal.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.browser.test_video_call import MEDIA_FLAGS, _secure_origin_flag
from tests.conftest import make_app, migrate_and_sync
from tests.support import netns
from tests.support.rtc import SILTA_SECRET, start_silta
from tests.support.services import ServiceUnavailable

RUNS = 12
TIMEOUT = 20.0  # seconds for one step of one run
HANG_TIMEOUT = 8.0  # --together: a call not connected by then never will (see the module docstring)
LEAD_MS = 300  # both pages click join this long after being armed
POLL = 0.05  # seconds between Python's looks at the pages' notes

PREVIEW_JS = """() => { const v = document.getElementById('preview');
  return !!(window.silta && v && v.srcObject && v.srcObject.getVideoTracks().length === 1 && v.readyState >= 2); }"""

# Armed in each page: click join at wall-clock ``at`` (ms since the epoch), then sample getStats.
ARM_JS = """(at) => {
  const now = () => performance.timeOrigin + performance.now();
  const b = window.__bench = { click: null, call: null, ice: null, first: null, error: null, polls: 0 };
  const up = (p) => p.ice === 'connected' || p.ice === 'completed';
  const sample = async () => {
    try {
      const peers = Object.values(await window.silta.room.call.stats());
      const t = now();
      b.polls += 1;
      if (b.call === null && document.body.dataset.stage === 'call') b.call = t;
      if (b.ice === null && peers.length > 0 && peers.every(up)) b.ice = t;
      if (peers.length > 0 && peers.every((p) => p.framesDecoded > 0)) { b.first = t; return; }
      if (document.body.dataset.stage === 'end') {
        b.error = `the call ended: ${document.body.dataset.endReason}`;
        return;
      }
    } catch (err) {
      b.error = String(err);
      return;
    }
    window.setTimeout(sample, 10);
  };
  window.setTimeout(() => {
    b.click = now();
    document.getElementById('join-button').click();
    sample();
  }, Math.max(0, at - now()));
}"""


def unavailable() -> str | None:
    """Why the browser figure cannot be taken here (None when it can)."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (Debian package chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed in the venv"
    return netns.available()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed calls after one warm-up (default {RUNS})")
    parser.add_argument("--together", action="store_true",
                        help="both click join at the same instant (shows the join race; see the docstring)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    began = time.perf_counter()
    reason = unavailable()
    if reason:
        raise SystemExit(f"Chromium ↔ Chromium skipped: {reason}")
    measure(args.runs, together=args.together)
    print(f"total {time.perf_counter() - began:.1f} s; Silta, both Chromiums and the namespaces are gone")


def section(runs: int = RUNS) -> None:
    """bench/video.py's last section: the figure, or why it is skipped."""
    print()
    print("Chromium ↔ Chromium (bench/video_browsers.py)")
    reason = unavailable()
    if reason:
        print(f"skipped: {reason}")
        return
    began = time.perf_counter()
    try:
        measure(runs)
    except ServiceUnavailable as exc:
        print(f"skipped: {exc}")
        return
    print(f"browser section {time.perf_counter() - began:.1f} s")


def measure(runs: int = RUNS, together: bool = False) -> list[float]:
    """Start everything, time ``runs`` calls after a warm-up, print the figures; returns the seconds."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="silta-bench-browsers-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'silta.sqlite3'}"
        migrate_and_sync(make_app(url, SECRET_KEY=SILTA_SECRET))
        app = make_app(url, SECRET_KEY=SILTA_SECRET)
        with app.app_context():
            worker, client, rooms = _people_and_rooms(runs + 1)
            db.session.remove()
            db.engine.dispose()
        link = server = playwright = None
        browsers = []
        try:
            try:
                link = netns.create_link("b")
            except RuntimeError as exc:  # root, but ``ip netns add`` refused (a container without the right)
                raise ServiceUnavailable(f"network namespaces cannot be made here: {exc}") from exc
            server = start_silta(url, wrap=link.near.exec_prefix, host=link.near.address)
            playwright = sync_playwright().start()
            args = [*CHROMIUM_ARGS, *MEDIA_FLAGS, _secure_origin_flag(server.url)]
            for ns in (link.near, link.far):  # the worker's browser beside the server, the client's across the link
                browsers.append(playwright.chromium.launch(executable_path=str(link.chromium_wrapper(ns)),
                                                           args=args))
            errors: list[str] = []
            pages = [_page(browser, errors) for browser in browsers]
            for page, email in zip(pages, (worker, client), strict=True):
                sign_in(page, server.url, email, PASSWORD)
            order = "both click join at once" if together else "the worker is in the call, then the client joins"
            print(f"Silta web process up in {server.startup_seconds:.1f} s in namespace {link.near.name}; "
                  f"{runs} runs each after one warm-up; {order}")
            results = []
            for key in rooms:
                results.append(_run_once(pages, server.url, key, together))
                if errors:
                    raise RuntimeError(f"script errors in the pages: {errors}")
            return _print(results[1:], together)
        finally:
            _close(playwright, browsers, server, link)


def _page(browser, errors: list[str]):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fi-FI")
    context.set_default_timeout(TIMEOUT * 1000)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return page


def _until(page, js: str, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not page.evaluate(js):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not within {TIMEOUT:.0f} s ({page.url})")
        time.sleep(POLL)


def _arm(page, at: float) -> None:
    page.evaluate(ARM_JS, at)


def _notes(pages, key: str, done, deadline: float) -> list[dict]:
    """Poll the pages' notes from Python until ``done(notes)``; None when ``deadline`` passes."""
    while True:
        notes = [page.evaluate("() => window.__bench || null") for page in pages]
        failed = [n["error"] for n in notes if n and n["error"]]
        if failed:
            raise RuntimeError(f"room {key}: {failed}")
        if done(notes):
            return notes
        if time.monotonic() > deadline:
            return None
        time.sleep(POLL)


def _run_once(pages, base: str, key: str, together: bool) -> dict[str, float] | None:
    """One fresh call in room ``key``; times in ms from the (client's) join click. None: never connected."""
    for page in pages:
        page.goto(f"{base}/video/r/{key}")
    for page in pages:
        page.wait_for_selector("body[data-stage=check]", state="attached")
        _until(page, PREVIEW_JS, "the camera preview")
    worker, client = pages
    at = time.time() * 1000 + LEAD_MS
    if together:
        _arm(worker, at)
    else:  # the worker is in the call first (untimed), as in bench/video.py; then the client joins
        _arm(worker, at)
        if _notes([worker], key, lambda n: n[0] and n[0]["call"], time.monotonic() + TIMEOUT) is None:
            raise RuntimeError(f"room {key}: the worker did not get into the call within {TIMEOUT:.0f} s")
        at = time.time() * 1000 + LEAD_MS
    _arm(client, at)
    deadline = time.monotonic() + (HANG_TIMEOUT if together else TIMEOUT) + LEAD_MS / 1000
    notes = _notes(pages, key, lambda n: all(x and x["first"] for x in n), deadline)
    polled = time.time() * 1000
    if notes is None:
        if together:
            _leave(pages)
            return None
        stats = [page.evaluate("async () => await window.silta.room.call.stats()") for page in pages]
        raise RuntimeError(f"room {key}: no decoded frame on both sides within {TIMEOUT:.0f} s: {stats}")
    timed = notes if together else notes[1:]  # whose join clicks start the clock and whose "in the call" counts
    t0 = min(n["click"] for n in timed)
    result = {"total": max(n["first"] for n in notes) - t0, "polled": polled - t0,
              "call": max(n["call"] or n["first"] for n in timed) - t0,
              "ice": max(n["ice"] or n["first"] for n in notes) - t0,
              "skew": abs(notes[0]["click"] - notes[1]["click"]) if together else 0.0,
              "worker_call": (notes[0]["call"] or notes[0]["first"]) - notes[0]["click"],
              "polls": min(n["polls"] for n in notes)}
    _leave(pages)
    return result


def _leave(pages) -> None:
    """A clean end: the server forgets both before the next room."""
    for page in pages:
        page.evaluate("() => window.silta.room.leave()")


def _print(results: list[dict[str, float] | None], together: bool) -> list[float]:
    hung = sum(r is None for r in results)
    results = [r for r in results if r is not None]
    if hung:
        print(f"  {hung} of {hung + len(results)} calls never connected (no decoded frame within {HANG_TIMEOUT:.0f} s)")
    if not results:
        return []
    if not together:
        print(f"  (untimed before: the worker's join click → in the call, median "
              f"{statistics.median(r['worker_call'] for r in results):.0f} ms)")
    marks = (("call", "both in the call" if together else "client in the call"), ("ice", "ICE connected on both"))
    for name, label in marks:
        print(f"  {label}: median {statistics.median(r[name] for r in results):.0f} ms after join")
    seconds = [r["total"] / 1000 for r in results]
    _report("Chromium ↔ Chromium (join → both decoded a remote frame, in-page clocks)", seconds)
    polled = statistics.median(r["polled"] for r in results)
    skew = f"the two join clicks at most {max(r['skew'] for r in results):.1f} ms apart; " if together else ""
    print(f"(polled from Python every {POLL * 1000:.0f} ms: median {polled:.0f} ms; {skew}in-page getStats "
          f"every ~10 ms, ≥ {min(r['polls'] for r in results)} samples a run)")
    return seconds


def _close(playwright, browsers, server, link) -> None:
    """Everything this module started, by handle; each step runs even if one before it fails."""
    for browser in browsers:
        with contextlib.suppress(Exception):
            browser.close()
    if playwright is not None:
        with contextlib.suppress(Exception):
            playwright.stop()
    if server is not None:
        server.stop()
    if link is not None:
        link.delete()


if __name__ == "__main__":
    try:
        main()
    except ServiceUnavailable as exc:
        raise SystemExit(f"Chromium ↔ Chromium skipped: {exc}") from None
