"""Private network namespaces for the browser call tests.

Chromium ignores the loopback interface when it gathers ICE candidates (../shared/STACK.md), so a
call between two headless Chromiums on ``127.0.0.1`` never connects. Here two namespaces are joined
by a veth pair (``10.77.N.1/24`` ↔ ``10.77.N.2/24``): the Silta server and one browser live in the
first, the other browser in the second, and every packet stays inside the machine. ``drop()`` takes
the second end of the link down (a dropped Wi-Fi, as the far browser sees it) and ``restore()``
brings it back. ``block_udp()`` / ``unblock_udp()`` stop only UDP between the two (a policy rule to a
blackhole route, no netfilter needed): the media path dies while the signaling websocket lives, which
is what makes the browser restart ICE instead of reconnecting.

Needs root (``ip netns add``). Namespaces are deleted by ``delete()``; an ``atexit`` hook deletes
whatever a crashed session left behind. Only namespaces created here are ever deleted.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .services import ServiceUnavailable

UDP_TABLE = "77"  # routing table (and rule priority) of block_udp()'s blackhole
_created: list[str] = []  # namespaces this process made and has not deleted yet


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {done.stderr.strip()}")


def available() -> str | None:
    """Why namespaces cannot be made here (None when they can)."""
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    if os.geteuid() != 0:
        return "creating network namespaces needs root"
    return None


@dataclass
class Namespace:
    name: str
    address: str  # this side's address on the veth link
    device: str

    @property
    def exec_prefix(self) -> list[str]:
        """Prefix a command with this to run it inside the namespace."""
        return ["ip", "netns", "exec", self.name]

    def link(self, up: bool) -> None:
        _ip("-n", self.name, "link", "set", self.device, "up" if up else "down")


@dataclass
class Link:
    """Two namespaces joined by a veth pair: ``near`` (server side) and ``far`` (the other browser)."""

    near: Namespace
    far: Namespace
    wrappers: list[Path] = field(default_factory=list)

    def drop(self) -> None:
        """The far side's network goes away (its end of the link is down; the near end loses carrier)."""
        self.far.link(False)

    def restore(self) -> None:
        self.far.link(True)

    def block_udp(self) -> None:
        """UDP between the namespaces is refused on both sides (traffic inside one namespace still flows)."""
        for ns in (self.near, self.far):
            _ip("-n", ns.name, "route", "add", "blackhole", "default", "table", UDP_TABLE)
            _ip("-n", ns.name, "rule", "add", "ipproto", "udp", "table", UDP_TABLE, "prio", UDP_TABLE)

    def unblock_udp(self) -> None:
        for ns in (self.near, self.far):
            _ip("-n", ns.name, "rule", "del", "ipproto", "udp", "table", UDP_TABLE, "prio", UDP_TABLE)
            _ip("-n", ns.name, "route", "del", "blackhole", "default", "table", UDP_TABLE)

    def chromium_wrapper(self, ns: Namespace, chromium: str = "/usr/bin/chromium") -> Path:
        """An executable that starts Chromium inside ``ns``; Playwright launches it and talks over a pipe,
        so the test process itself stays outside the namespace."""
        fd, name = tempfile.mkstemp(prefix=f"chromium-{ns.name}-", suffix=".sh")
        with os.fdopen(fd, "w") as script:
            script.write(f'#!/bin/sh\nexec ip netns exec {ns.name} {chromium} "$@"\n')
        path = Path(name)
        path.chmod(0o755)
        self.wrappers.append(path)
        return path

    def delete(self) -> None:
        for ns in (self.near, self.far):
            delete_namespace(ns.name)
        for path in self.wrappers:
            path.unlink(missing_ok=True)
        self.wrappers.clear()


def create_link(tag: str = "t") -> Link:
    """Two fresh namespaces ``silta-<tag><pid>-a/-b`` joined by veth; both with ``lo`` up."""
    reason = available()
    if reason:
        raise ServiceUnavailable(reason)
    base = f"silta-{tag}{os.getpid()}"
    subnet = 10 + os.getpid() % 240
    near = Namespace(f"{base}-a", f"10.77.{subnet}.1", "veth-near")
    far = Namespace(f"{base}-b", f"10.77.{subnet}.2", "veth-far")
    link = Link(near, far)
    try:
        for ns in (near, far):
            _ip("netns", "add", ns.name)
            _created.append(ns.name)
            _ip("-n", ns.name, "link", "set", "lo", "up")
        _ip("-n", near.name, "link", "add", near.device, "type", "veth", "peer", "name", far.device, "netns", far.name)
        for ns in (near, far):
            _ip("-n", ns.name, "addr", "add", f"{ns.address}/24", "dev", ns.device)
            ns.link(True)
    except BaseException:
        link.delete()
        raise
    return link


def delete_namespace(name: str) -> None:
    """Delete one namespace made here (its veth end goes with it). Safe to call twice."""
    if name not in _created:
        return
    subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=10)
    _created.remove(name)


@atexit.register
def _delete_leftovers() -> None:
    for name in list(_created):
        delete_namespace(name)
