"""A real Janus (Debian's ``janus``) for the group-video tests, from the configuration Silta ships.

The files of ``deploy/janus/`` are copied to a scratch directory with only what a test must change:
the secrets, the HTTP and admin ports (free ones, on ``host``), the folder they are read from, the RTP
port range and the interface ICE may use. Janus is a direct child of the test run, ended by pid
(``stop()``); without the binary, ``ServiceUnavailable`` (a failure in CI, see ``require_or_skip``).

Typical use::

    janus = start_janus(address=non_loopback_address())
    try:
        requests.post(janus.api_url, json={"janus": "info", "transaction": "t"})
    finally:
        janus.stop()
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .rtc import Server, _spawn, _wait
from .services import ServiceUnavailable, _running, free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "janus"
START_TIMEOUT = 20.0
API_SECRET = "janus-test-api-secret"  # tests only; matches no deployment
ADMIN_SECRET = "janus-test-admin-secret"
ROOM_KEY = "janus-test-room-key"


@dataclass(eq=False)
class Janus(Server):
    admin_port: int = 0
    address: str = ""  # where ICE candidates are gathered (a non-loopback address: aioice skips 127.0.0.1)

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/janus"

    @property
    def admin_url(self) -> str:
        return f"http://{self.host}:{self.admin_port}/admin"

    def settings(self) -> dict[str, str]:
        """Silta's configuration for this Janus (app config keys)."""
        return {"JANUS_URL": self.api_url, "JANUS_PUBLIC_URL": self.api_url, "JANUS_ADMIN_URL": self.admin_url,
                "JANUS_API_SECRET": API_SECRET, "JANUS_ADMIN_SECRET": ADMIN_SECRET, "JANUS_ROOM_KEY": ROOM_KEY}


def non_loopback_address() -> str | None:
    """This machine's address on its default route (ICE ignores loopback), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("203.0.113.1", 9))  # no packet is sent: this only asks the routing table
            address = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def _write_config(directory: Path, *, host: str, port: int, admin_port: int, address: str, rtp: str) -> None:
    text = (CONFIG / "janus.jcfg").read_text()
    replace = {
        r'configs_folder = "[^"]*"': f'configs_folder = "{directory}"',
        r'api_secret = "[^"]*"': f'api_secret = "{API_SECRET}"',
        r'admin_secret = "[^"]*"': f'admin_secret = "{ADMIN_SECRET}"',
        r'rtp_port_range = "[^"]*"': f'rtp_port_range = "{rtp}"',
        r'ice_ignore_list = "[^"]*"': f'ice_enforce_list = "{address}"',
    }
    for pattern, value in replace.items():
        text, count = re.subn(pattern, value, text)
        assert count == 1, f"deploy/janus/janus.jcfg has no single {pattern!r}"
    (directory / "janus.jcfg").write_text(text)
    http = (CONFIG / "janus.transport.http.jcfg").read_text()
    for pattern, value in {r"\bport = \d+": f"port = {port}", r"admin_port = \d+": f"admin_port = {admin_port}",
                           r'\bip = "[^"]*"': f'ip = "{host}"', r'admin_ip = "[^"]*"': f'admin_ip = "{host}"'}.items():
        http, count = re.subn(pattern, value, http)
        assert count == 1, f"deploy/janus/janus.transport.http.jcfg has no single {pattern!r}"
    (directory / "janus.transport.http.jcfg").write_text(http)
    room = (CONFIG / "janus.plugin.videoroom.jcfg").read_text()
    room = re.sub(r'admin_key = "[^"]*"', f'admin_key = "{ROOM_KEY}"', room)
    (directory / "janus.plugin.videoroom.jcfg").write_text(room)


def start_janus(*, address: str | None = None, host: str = "127.0.0.1", wrap=()) -> Janus:
    """Janus with Silta's configuration on free ports; ICE on ``address`` (default: the machine's own)."""
    exe = shutil.which("janus") or ("/usr/bin/janus" if os.access("/usr/bin/janus", os.X_OK) else None)
    if not exe:
        raise ServiceUnavailable("janus not found (Debian: apt-get install janus)")
    address = address or non_loopback_address()
    if address is None:
        raise ServiceUnavailable("no non-loopback address for Janus's ICE candidates")
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="silta-janus-"))
    port, admin_port = free_port(), free_port()
    low = 20000 + (os.getpid() * 53) % 20000
    _write_config(run_dir, host=host, port=port, admin_port=admin_port, address=address, rtp=f"{low}-{low + 999}")
    log_path = run_dir / "janus.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    proc = _spawn([*wrap, exe, "-C", str(run_dir / "janus.jcfg"), "-F", str(run_dir), "-o"], env, log_path, run_dir)
    server = Janus(host=host, port=port, pid=proc.pid, log_path=log_path, run_dir=run_dir, _proc=proc,
                   admin_port=admin_port, address=address)
    _running.append(server)
    try:
        _wait("janus", server, lambda: _answers(server, wrap), START_TIMEOUT)
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


def _answers(server: Janus, wrap) -> bool:
    if wrap:
        return "HTTP webserver started" in server.log() and "JANUS VideoRoom plugin initialized" in server.log()
    body = json.dumps({"janus": "info", "transaction": "ready"}).encode()
    request = urllib.request.Request(server.api_url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.load(response).get("janus") == "server_info"
    except (urllib.error.URLError, OSError, ValueError):
        return False

