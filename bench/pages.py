"""Pages under load: N signed-in users on their main pages. ``python -m bench.pages [--postgres]``

Seeds a fresh demo county (SQLite in a scratch folder, or ``--postgres``: a scratch PostgreSQL from
tests/support/services.py on this machine, over TCP to 127.0.0.1; ``--postgres-via socket``: over its Unix
socket, as deploy/silta.env shows for PostgreSQL on the same machine), then:

1. **In process** (a profiling pass, nothing else running in this process): one client and one
   worker sign in through the login form with a test client; each main page is fetched WARMUP times,
   then PROFILE_RUNS times counting SQL statements (a SQLAlchemy event), SQL time and CPU time
   (``time.process_time`` around the request). Medians per page.
2. **From outside**: Silta as deployed (``--topology deployed``): ``--processes`` instances started with
   deploy/silta-web@.service's command, behind nginx with deploy/nginx-silta.conf (TLS, a self-signed
   certificate, the bench's ports); or ``--topology direct``: one ``portal.serving.serve`` with
   ``--processes`` gevent workers, or ``--server dev`` (``python -m portal``), without a proxy. Then USERS
   users — demo clients and case workers, accounts shared round robin as on several devices — each
   signing in THROUGH THE LOGIN FORM (the CSRF token read from the page and a Referer, like a browser) and
   then looping over their main pages with a think time (uniform 0.5–1.5 × ``--think``), for ``--seconds``.
   Only requests that start after everyone has signed in are counted. It prints throughput,
   p50/p95/p99 and errors per page (an error: a status other than 200, a redirect to the login page,
   a connection failure), the CPU of the web processes, nginx and the load generator over the run, and
   the steady state: CPU per page over the middle of the window (PostgreSQL's backends included) and how
   busy the machine was.

The load generator (aiohttp, one event loop) runs on the same two cores as the server, at normal
priority; its own CPU use is printed so the figures can be read for what they are. The login rate
limit is raised for the bench's server only (every user signs in from 127.0.0.1).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PASSWORD = "silta-demo-2026"
CLIENT_PAGES = ("/me", "/me/messages", "/me/appointments", "/video/")
WORKER_PAGES = ("/work/today", "/work", "/work/calendar/", "/messages/inbox", "/video/")
WARMUP = 3
PROFILE_RUNS = 20
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TARGET_P95_MS = 50.0
SIGN_IN_RAMP = 0.1  # seconds between two users' sign-ins (argon2 costs ~50 ms of CPU on purpose)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between pages, seconds")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the measured load runs")
    parser.add_argument("--processes", type=int, default=2,
                        help="web processes: `silta serve` instances (deployed) or gunicorn workers (direct)")
    parser.add_argument("--topology", choices=("deployed", "direct"), default="deployed",
                        help="deployed: nginx from deploy/ in front of --processes `silta serve` instances, as a "
                             "county runs it; direct: one server (--server) without a proxy")
    parser.add_argument("--server", choices=("serve", "dev"), default="serve", help="with --topology direct")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-via", choices=("tcp", "socket"), default="tcp",
                        help="how Silta reaches the scratch PostgreSQL on this machine: TCP to 127.0.0.1, or its Unix "
                             "socket (deploy/silta.env's line for PostgreSQL on the same machine)")
    parser.add_argument("--workers-share", type=float, default=0.4, help="share of users who are case workers")
    parser.add_argument("--ramp", type=float, default=SIGN_IN_RAMP, help="seconds between two users' sign-ins")
    parser.add_argument("--server-log", help="keep the server's log in this file")
    parser.add_argument("--nice", type=int, default=0,
                        help="niceness of the server and the load generator during the load (negative: root only; "
                             "for a machine shared with other work)")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="silta-bench-pages-") as scratch:
        env = _environment(Path(scratch))
        postgres = None
        if args.postgres:
            from tests.support.services import start_postgres

            postgres = start_postgres(Path(scratch) / "pg")
            postgres.create_database("pages")
            url = postgres.socket_url if args.postgres_via == "socket" else postgres.url
            env["PORTAL_DATABASE_URL"] = url("pages")
        try:
            os.environ.update(env)  # before portal is imported: the instance path is read at import
            began = time.perf_counter()
            clients, workers = _seed()
            database = f"PostgreSQL over its {'Unix socket' if args.postgres_via == 'socket' else 'TCP (127.0.0.1)'}"
            print(f"database: {database if postgres else 'SQLite'}; demo county seeded in "
                  f"{time.perf_counter() - began:.1f} s; {len(clients)} client and {len(workers)} worker logins")
            if not args.no_profile:
                _profile(clients[0], workers[0])
            if not args.no_load:
                _load(args, env, clients, workers)
        finally:
            if postgres is not None:
                postgres.stop()


def _environment(scratch: Path) -> dict[str, str]:
    return {
        "PORTAL_INSTANCE_PATH": str(scratch / "instance"),
        "PORTAL_SECRET_KEY": "bench-pages-secret-key-0123456789abcdef",
        "PORTAL_LOGIN_RATE_LIMIT": "1000000 per minute",  # every bench user signs in from 127.0.0.1
        "PORTAL_RTC_BOTS": "0",
        "PORTAL_SERVE_ACCESS_LOG": "",
    }


def _seed() -> tuple[list[str], list[str]]:
    """A migrated database with the demo county; the emails of its client and case-worker logins."""
    from sqlalchemy import select, update

    from portal.auth.models import AccountKind, User, UserRole
    from portal.cli import prepare_database, start_app
    from portal.extensions import db
    from portal.web.access import CASEWORK_ROLES

    app = start_app("bench")
    prepare_database(app)
    with app.app_context():
        # Most demo clients sign in with Suomi.fi only; here every client login gets the demo password, so
        # the bench's clients are many different people with their own data.
        demo_hash = db.session.scalar(select(User.password_hash).where(User.password_hash.is_not(None)).limit(1))
        db.session.execute(update(User).where(User.kind == AccountKind.CLIENT, User.password_hash.is_(None))
                           .values(password_hash=demo_hash))
        db.session.commit()
        clients = list(db.session.scalars(select(User.email).where(User.kind == AccountKind.CLIENT, User.active)
                                          .order_by(User.id)))
        workers = list(db.session.scalars(
            select(User.email).where(User.active, User.id.in_(
                select(UserRole.user_id).where(UserRole.role.in_(CASEWORK_ROLES)))).order_by(User.id)))
        db.session.remove()
        db.engine.dispose()
    return clients, workers


# --- 1. in process -------------------------------------------------------------------------------------

def _profile(client_email: str, worker_email: str) -> None:
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app()
    sql = {"statements": 0, "seconds": 0.0}
    with app.app_context():
        @event.listens_for(db.engine, "before_cursor_execute")
        def _started(conn, *_args):
            conn.info["bench_started"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def _finished(conn, *_args):
            sql["statements"] += 1
            sql["seconds"] += time.perf_counter() - conn.info.pop("bench_started")

    print(f"\nIn process, per page (median of {PROFILE_RUNS} after {WARMUP} warm-up requests; one user):")
    print(f"  {'page':28} {'CPU ms':>7} {'SQL ms':>7} {'statements':>10} {'KB':>5}")
    for kind, email, pages in (("client", client_email, CLIENT_PAGES), ("worker", worker_email, WORKER_PAGES)):
        browser = app.test_client()
        status = _sign_in_test_client(browser, email)
        if status != 302:
            print(f"  {kind} {email}: sign-in answered {status}")
            continue
        for page in pages:
            cpu, sql_ms, statements, size = [], [], [], 0
            for run in range(WARMUP + PROFILE_RUNS):
                sql.update(statements=0, seconds=0.0)
                started = time.process_time()
                with app.app_context():  # as in production: a fresh app context (g, DB session) per request
                    response = browser.get(page)
                if response.status_code != 200:
                    raise SystemExit(f"{page} as {kind}: HTTP {response.status_code}")
                if run >= WARMUP:
                    cpu.append((time.process_time() - started) * 1000)
                    sql_ms.append(sql["seconds"] * 1000)
                    statements.append(sql["statements"])
                    size = len(response.data)
            print(f"  {kind + ' ' + page:28} {statistics.median(cpu):7.1f} {statistics.median(sql_ms):7.1f} "
                  f"{statistics.median(statements):10.0f} {size / 1024:5.1f}")


def _sign_in_test_client(browser, email: str) -> int:
    token = CSRF.search(browser.get("/login").get_data(as_text=True)).group(1)
    return browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code


# --- 2. from outside --------------------------------------------------------------------------------------

def _load(args, env: dict[str, str], clients: list[str], workers: list[str]) -> None:
    scratch = Path(env["PORTAL_INSTANCE_PATH"]).parent
    log_path = Path(args.server_log or scratch / "server.log")
    log = open(log_path, "w")  # noqa: SIM115 (closed below)
    if args.nice:
        os.nice(args.nice)  # the load generator; the servers inherit it
    started = time.perf_counter()
    servers: dict[str, subprocess.Popen] = {}
    try:
        base = _start_servers(args, env, scratch, log, servers)
        print(f"\nServer: {_server_label(args)}, up in {time.perf_counter() - started:.1f} s"
              + (f"; servers and load generator at niceness {os.nice(0)}" if args.nice else ""))
        before = {name: _tree_cpu_seconds(server.pid) for name, server in servers.items()}
        result = asyncio.run(_run_users(args, base, clients, workers, [s.pid for s in servers.values()]))
        cpu = {name: _tree_cpu_seconds(server.pid) - before[name] for name, server in servers.items()}
        _report(args, result, cpu)
    finally:
        for server in servers.values():
            _stop(server)
        log.close()
    errors_logged = [line for line in log_path.read_text().splitlines()
                     if "Error" in line or "Traceback" in line]
    if errors_logged:
        print(f"server log: {len(errors_logged)} error lines, first: {errors_logged[0][:300]}")
    for nginx_log in sorted((scratch / "nginx").glob("*error.log")):  # why nginx answered 502, if it did
        lines = [line for line in nginx_log.read_text().splitlines() if "[error]" in line or "[crit]" in line]
        if lines:
            print(f"nginx {nginx_log.name}: {len(lines)} error lines, first: {lines[0][:300]}, last: {lines[-1][:300]}")


def _start_servers(args, env: dict[str, str], scratch: Path, log, servers: dict[str, subprocess.Popen]) -> str:
    """Start the servers of the chosen topology into ``servers``; the address the users load."""
    from tests.support.services import free_port

    def spawn(name: str, command: list[str], extra: dict[str, str] | None = None) -> subprocess.Popen:
        servers[name] = subprocess.Popen(command, env={**os.environ, **env, **(extra or {})}, stdout=log, stderr=log,
                                         start_new_session=True)
        return servers[name]

    if args.topology == "direct":
        port = free_port()
        web = spawn("web", _server_command(args, port), {"PORTAL_PORT": str(port)})
        _wait_for(f"http://127.0.0.1:{port}/login", web)
        return f"http://127.0.0.1:{port}"
    from tests.support.deployed import NGINX, nginx_command, unit_command

    if not NGINX.exists():
        raise SystemExit(f"{NGINX} is not installed (Debian package nginx; .ci/run installs it), "
                         "or measure without it: --topology direct")
    ports = [free_port() for _ in range(args.processes)]
    for number, port in enumerate(ports, 1):  # as deploy/silta-web@.service runs them, behind nginx
        spawn(f"web{number}", unit_command("silta-web@.service", str(port)), {"PORTAL_TRUSTED_PROXIES": "1"})
    for number, port in enumerate(ports, 1):
        _wait_for(f"http://127.0.0.1:{port}/login", servers[f"web{number}"])
    https, http = free_port(), free_port()
    nginx = spawn("nginx", nginx_command(scratch / "nginx", ports, "127.0.0.1", listen={443: https, 80: http}))
    _wait_for(f"https://127.0.0.1:{https}/healthz", nginx)
    return f"https://127.0.0.1:{https}"


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _server_command(args, port: int) -> list[str]:
    if args.server == "dev":
        return [sys.executable, "-m", "portal"]
    serve = "import sys; from portal.serving import serve; serve([sys.argv[1]], int(sys.argv[2]))"
    return [sys.executable, "-c", serve,
            f"127.0.0.1:{port}", str(args.processes)]


def _server_label(args) -> str:
    if args.topology == "deployed":
        return (f"as deployed: nginx (deploy/nginx-silta.conf, TLS, one worker process) in front of {args.processes} "
                "`silta serve --workers 1` (deploy/silta-web@.service, gunicorn with a gevent worker)")
    if args.server == "dev":
        return "python -m portal (threaded Werkzeug, one process), directly"
    return f"portal.serving.serve (one gunicorn, {args.processes} gevent worker processes), directly"


def _wait_for(url: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    import ssl
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    unverified = ssl._create_unverified_context()  # the bench's own self-signed certificate
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{server.args[0]} exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2, context=unverified) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit("the server did not answer in time")


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that are still running (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        process_id, parent, group = int(stat.parent.name), int(fields[1]), int(fields[2])
        if process_id == pid or parent == pid or group == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Result:
    def __init__(self):
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.login_errors: dict[str, int] = defaultdict(int)
        self.window = 0.0
        self.generator_cpu = 0.0
        self.signed_in = 0
        self.steady: dict[str, float] = {}


async def _run_users(args, base: str, clients: list[str], workers: list[str], server_pids: list[int]) -> Result:
    import aiohttp

    result = Result()
    n_workers = round(args.users * args.workers_share)
    users = [("worker", workers[i % len(workers)], WORKER_PAGES) for i in range(n_workers)]
    users += [("client", clients[i % len(clients)], CLIENT_PAGES) for i in range(args.users - n_workers)]
    ready = asyncio.Event()
    measuring = {"from": None, "until": None}
    all_signed_in = asyncio.Barrier(len(users) + 1)
    rng = random.Random(2026)
    timeout = aiohttp.ClientTimeout(total=60)

    async def user(index: int, email: str, pages: tuple[str, ...]) -> None:
        connector = aiohttp.TCPConnector(limit=1, force_close=False, ssl=False)  # the bench's self-signed certificate
        async with aiohttp.ClientSession(base, connector=connector, timeout=timeout,
                                         cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            await asyncio.sleep(index * args.ramp)  # a ramp, not a thundering herd of argon2 checks
            ok = await _sign_in(session, email, result)
            await all_signed_in.wait()
            await ready.wait()
            if not ok:
                return
            turn = index % len(pages)
            await asyncio.sleep(rng.uniform(0, args.think))
            while time.perf_counter() < measuring["until"]:
                page = pages[turn % len(pages)]
                turn += 1
                began = time.perf_counter()
                problem = await _fetch(session, page)
                elapsed = time.perf_counter() - began
                if began >= measuring["from"] and began < measuring["until"]:
                    if problem:
                        result.errors[page][problem] += 1
                    else:
                        result.latencies[page].append(elapsed * 1000)
                await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))

    cpu_before = time.process_time()
    tasks = [asyncio.create_task(user(i, email, pages)) for i, (_kind, email, pages) in enumerate(users)]
    login_began = time.perf_counter()
    await all_signed_in.wait()
    result.signed_in = len(users) - sum(result.login_errors.values())
    print(f"{result.signed_in} of {len(users)} users signed in through the login form in "
          f"{time.perf_counter() - login_began:.1f} s ({n_workers} workers, {len(users) - n_workers} clients)")
    measuring["from"] = time.perf_counter() + args.think  # let the first round spread out
    measuring["until"] = measuring["from"] + args.seconds
    ready.set()
    steady = asyncio.create_task(_steady_state(measuring, server_pids, result))
    await asyncio.gather(*tasks)
    await steady
    result.window = args.seconds
    result.generator_cpu = time.process_time() - cpu_before
    return result


async def _sign_in(session, email: str, result: Result) -> bool:
    import aiohttp

    try:
        async with session.get("/login") as response:
            page = await response.text()
        match = CSRF.search(page)
        if response.status != 200 or match is None:
            result.login_errors[f"login page {response.status}"] += 1
            return False
        form = {"email": email, "password": PASSWORD, "csrf_token": match.group(1)}
        # A browser's Referer: over HTTPS the CSRF check wants one from this host (nginx passes $host, no port).
        referer = {"Referer": "https://127.0.0.1/login"}
        async with session.post("/login", data=form, headers=referer, allow_redirects=False) as response:
            await response.read()
            if response.status != 302 or "/login" in response.headers.get("Location", "/login"):
                result.login_errors[f"sign-in {response.status}"] += 1
                return False
        return True
    except (TimeoutError, aiohttp.ClientError) as exc:
        result.login_errors[type(exc).__name__] += 1
        return False


async def _fetch(session, page: str) -> str | None:
    """None when the page came back whole, else what went wrong."""
    import aiohttp

    try:
        async with session.get(page, allow_redirects=False) as response:
            await response.read()
            if response.status != 200:
                return f"HTTP {response.status}"
            return None
    except (TimeoutError, aiohttp.ClientError) as exc:
        return type(exc).__name__


async def _steady_state(measuring: dict, server_pids: list[int], result: Result) -> None:
    """CPU per page in the middle of the measured window, without the sign-ins and each process's warm-up
    (templates and statements compiled on first use), which the totals include: the web processes (nginx
    included), PostgreSQL's backends, and how busy the machine was."""
    margin = min(5.0, (measuring["until"] - measuring["from"]) / 4)
    await asyncio.sleep(max(0.0, measuring["from"] + margin - time.perf_counter()))
    began, web, database, (busy, idle) = time.perf_counter(), _web_cpu(server_pids), _postgres_cpu(), _machine()
    await asyncio.sleep(max(0.0, measuring["until"] - margin - time.perf_counter()))
    seconds = time.perf_counter() - began
    pages = sum(len(values) for values in result.latencies.values())  # so far: the rate over the window
    rate = pages / max(1e-9, time.perf_counter() - measuring["from"])
    now_busy, now_idle = _machine()
    result.steady = {"web": (_web_cpu(server_pids) - web) / (rate * seconds) * 1000,
                     "postgres": (_postgres_cpu() - database) / (rate * seconds) * 1000,
                     "busy": (now_busy - busy) / max(1, (now_busy - busy) + (now_idle - idle)) * 100,
                     "seconds": seconds}


def _web_cpu(pids: list[int]) -> float:
    return sum(_tree_cpu_seconds(pid) for pid in pids)


def _postgres_cpu() -> float:
    """User + system CPU of PostgreSQL's backends (the connections; the pool keeps them for the run)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if not cmdline.read_bytes().startswith(b"postgres: "):
                continue
            fields = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _machine() -> tuple[int, int]:
    """Busy and idle jiffies of all CPUs so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, idle


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _report(args, result: Result, cpu: dict[str, float]) -> None:
    everything = [v for values in result.latencies.values() for v in values]
    print(f"\n{args.users} users, think time {args.think:g} s (0.5-1.5x), measured for {args.seconds:g} s:")
    print(f"  {'page':18} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for page in sorted(set(result.latencies) | set(result.errors)):
        values = result.latencies.get(page, [])
        errors = sum(result.errors[page].values())
        print(f"  {page:18} {len(values) / result.window:6.1f} {_percentile(values, .5):7.1f} "
              f"{_percentile(values, .95):7.1f} {_percentile(values, .99):7.1f} {errors:6d}"
              + (f"  ({dict(result.errors[page])})" if errors else ""))
    errors = sum(sum(e.values()) for e in result.errors.values())
    print(f"  {'all pages':18} {len(everything) / result.window:6.1f} {_percentile(everything, .5):7.1f} "
          f"{_percentile(everything, .95):7.1f} {_percentile(everything, .99):7.1f} {errors:6d}")
    if result.login_errors:
        print(f"  sign-in errors: {dict(result.login_errors)}")
    p95 = _percentile(everything, .95)
    verdict = "met" if errors == 0 and not result.login_errors and p95 < TARGET_P95_MS else "NOT met"
    print(f"  target (0 errors, p95 < {TARGET_P95_MS:g} ms): {verdict}")
    web = sum(seconds for name, seconds in cpu.items() if name.startswith("web"))
    proxy = f", nginx {cpu['nginx']:.1f} s" if "nginx" in cpu else ""
    print(f"  CPU: web processes {web:.1f} s{proxy}, load generator {result.generator_cpu:.1f} s "
          f"(same {os.cpu_count()} CPUs; includes sign-in); load average {_loadavg()}")
    if result.steady:
        steady = result.steady
        database = f" + PostgreSQL's backends {steady['postgres']:.1f} ms" if steady["postgres"] else ""
        print(f"  steady state ({steady['seconds']:.0f} s in the middle): Silta and nginx {steady['web']:.1f} ms "
              f"of CPU per page{database}; the machine {steady['busy']:.0f} % busy")


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


if __name__ == "__main__":
    main()
