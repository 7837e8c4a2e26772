"""Instructions per page, counted by callgrind: CPU work that a busy machine cannot blur.
``python -m bench.page_instructions [--sqlite] [--gevent] [--rounds 2] [SOURCE_TREE ...]``

On a shared machine the CPU time of the same page varies by half within minutes (bench/pages.py says how),
so two versions of the code compare only when run side by side, and even then within a few per cent. The
number of instructions Python executes for a page does not depend on the neighbours: this script runs the
bench's pages in process under valgrind's callgrind (``apt install valgrind``; 20-50 times slower, so a
few requests per page) and counts the instructions of each page's requests alone.

Seeds a scratch demo county (PostgreSQL from tests/support/services.py unless ``--sqlite``), then for each
source tree given (default: this one; e.g. a ``git worktree`` of the previous commit) starts one process
under callgrind with collection off, signs a client and a case worker in through the login form with a test
client, warms every page up, and then switches collection on around each page's requests only
(``callgrind_control``). ``--gevent`` patches the process first, as a production worker is. Prints millions
of instructions per request for each page and for the bench's mix (client pages twice as often as a case
worker's, as in bench/pages.py), plus /healthz (the fixed cost of a request) and a signed-in client's small
JSON answer and static page (what the session and the page frame cost). Repeat runs agree within ~0.5 %;
a request that happens to renew the session's last-seen time (once a minute) costs more, so take the mix.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# kind -> page -> requests per round; "c" a client, "w" a case worker, "a" anonymous, "x" the client's frame.
PAGES = {"c": {"/me": 2, "/me/messages": 2, "/me/appointments": 2, "/video/": 2},
         "w": {"/work/today": 1, "/work": 1, "/work/calendar/": 1, "/messages/inbox": 1, "/video/": 1},
         "a": {"/healthz": 1},
         "x": {"/messages/unread": 1, "/accessibility": 1}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path, default=[ROOT], help="source trees to count (default: this)")
    parser.add_argument("--sqlite", action="store_true", help="the embedded default instead of PostgreSQL")
    parser.add_argument("--gevent", action="store_true", help="patch the process with gevent, as a web worker")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of requests per page (see PAGES)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(Path(args.child), args.rounds)
        return
    sys.path.insert(0, str(ROOT))
    from bench.pages import _environment, _seed
    from tests.support.services import start_postgres

    scratch = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    env, postgres = _environment(scratch), None
    if not args.sqlite:
        postgres = start_postgres(scratch / "postgres")
        postgres.create_database("pages")
        env["PORTAL_DATABASE_URL"] = postgres.url("pages")
    os.environ.update(env)
    try:
        clients, workers = _seed()
        print(f"database: {'SQLite' if args.sqlite else 'PostgreSQL'}{', gevent-patched' if args.gevent else ''}; "
              f"{args.rounds} rounds; millions of instructions per request")
        for tree in args.trees:
            counts = _count(tree.resolve(), clients[0], workers[0], args)
            mix = {f"{kind}{page}": n for kind in ("c", "w") for page, n in PAGES[kind].items()}
            average = sum(counts[name] * n for name, n in mix.items()) / sum(mix.values())
            print(f"{tree}: mix {average:.2f}")
            for name, value in counts.items():
                print(f"  {name:22} {value:7.2f}")
    finally:
        if postgres is not None:
            postgres.stop()


def _count(tree: Path, client: str, worker: str, args) -> dict[str, float]:
    """Run the pages of ``tree`` under callgrind (this script, with ``tree`` first on the path, so an older tree
    without it can be counted too); millions of instructions per request, by page."""
    work = Path(tempfile.mkdtemp(prefix="callgrind-"))
    (work / "who.json").write_text(json.dumps({"client": client, "worker": worker}))
    env = {**os.environ, "PYTHONPATH": str(tree), "BENCH_GEVENT": "1" if args.gevent else ""}
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={work}/out",
               sys.executable, str(Path(__file__).resolve()), "--child", str(work),
               "--rounds", str(args.rounds)]
    with open(work / "stderr", "w") as stderr:
        child = subprocess.Popen(command, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        _wait_for(work / "ready", child, work)
        segments = json.loads((work / "ready").read_text())
        _control("-i", "on", child.pid)
        for number, _name in enumerate(segments):
            _wait_for(work / f"start-{number}", child, work)
            _control("-z", child.pid)  # nothing before the segment counts
            (work / f"go-{number}").touch()
            _wait_for(work / f"end-{number}", child, work)
            _control(f"--dump=segment-{number}", child.pid)
            (work / f"next-{number}").touch()
        _control("-i", "off", child.pid)
        (work / "exit").touch()
        child.wait(timeout=600)
    finally:
        if child.poll() is None:
            child.kill()
    totals = {}
    for dump in work.glob("out*"):
        text = dump.read_text(errors="replace")
        label = re.search(r"^desc: Trigger: .*segment-(\d+)", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if label and total:
            totals[int(label.group(1))] = int(total.group(1))
    return {name: totals.get(number, 0) / requests / 1e6 for number, (name, requests) in enumerate(segments)}


def _wait_for(path: Path, child: subprocess.Popen, work: Path) -> None:
    while not path.exists():
        if child.poll() is not None:
            raise SystemExit(f"the process under callgrind ended:\n{(work / 'stderr').read_text()[-3000:]}")
        time.sleep(0.02)


def _control(*arguments) -> None:
    subprocess.run(["callgrind_control", *map(str, arguments)], check=True, capture_output=True)


# --- under callgrind ----------------------------------------------------------------------------------------

def _child(work: Path, rounds: int) -> None:
    """Sign in, warm up, then run each page's requests as one segment the parent counts."""
    if os.environ.get("BENCH_GEVENT"):
        from gevent import monkey

        monkey.patch_all()
    import logging

    sys.path.insert(0, os.getcwd())
    from bench.pages import _sign_in_test_client
    from portal import create_app

    logging.disable(logging.INFO)
    app, who = create_app(), json.loads((work / "who.json").read_text())
    browsers = {}
    for kind, email in (("c", who["client"]), ("w", who["worker"]), ("a", None), ("x", who["client"])):
        browser = app.test_client()
        if email and _sign_in_test_client(browser, email) != 302:
            raise SystemExit(f"{email} could not sign in")
        browsers[kind] = browser
        for page in PAGES[kind]:
            for _ in range(3):
                with app.app_context():
                    status = browser.get(page).status_code
                if status != 200:
                    raise SystemExit(f"{page}: HTTP {status}")
    segments = [(kind, page, n * rounds) for kind, pages in PAGES.items() for page, n in pages.items()]
    (work / "ready").write_text(json.dumps([(f"{kind}{page}", n) for kind, page, n in segments]))
    for number, (kind, page, requests) in enumerate(segments):
        (work / f"start-{number}").touch()
        _wait(work / f"go-{number}")
        for _ in range(requests):
            with app.app_context():
                browsers[kind].get(page)
        (work / f"end-{number}").touch()
        _wait(work / f"next-{number}")
    _wait(work / "exit")


def _wait(path: Path) -> None:
    while not path.exists():
        time.sleep(0.02)


if __name__ == "__main__":
    main()
