"""deploy/ as the source of commands and settings, for the topology test and the page benchmark.

The units' ExecStart lines, the environment file and the nginx site are read from deploy/, never copied,
so what is tested and measured is what a county installs. Only addresses, ports and paths are changed.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
INSTALLED_BIN = "/opt/silta/venv/bin/"  # where the units expect the installation; here: this venv
NGINX = Path("/usr/sbin/nginx")
UPSTREAM_LINES = ("server 127.0.0.1:8001 ", "server 127.0.0.1:8002 ")


def unit_command(unit: str, instance: str = "") -> list[str]:
    """The unit's ExecStart, with this venv in place of /opt/silta/venv and %i filled in."""
    lines = [line for line in (DEPLOY / unit).read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1, f"{unit}: one ExecStart expected"
    args = shlex.split(lines[0].removeprefix("ExecStart=").replace("%i", instance))
    assert args[0].startswith(INSTALLED_BIN), args
    return [str(Path(sys.executable).parent / args[0].removeprefix(INSTALLED_BIN)), *args[1:]]


def env_template() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (DEPLOY / "silta.env").read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {key: value for key, value in pairs}


def nginx_site(web_ports: list[int], directory: Path, listen: dict[int, int] | None = None) -> str:
    """deploy/nginx-silta.conf with these upstream ports (one ``server`` line each, as the site's comment asks),
    the certificate and logs in ``directory``; ``listen`` maps the site's ports 80/443 to others on 127.0.0.1
    (for a machine where they are taken; the topology test keeps them, in a network namespace of its own)."""
    site = (DEPLOY / "nginx-silta.conf").read_text()
    for old in (*UPSTREAM_LINES, "/etc/ssl/silta/", "/var/log/nginx/"):
        assert old in site, f"deploy/nginx-silta.conf changed: {old!r} is gone (update tests/support/deployed.py)"
    lines = []
    for line in site.splitlines():
        if "listen [::]" in line:
            continue
        if UPSTREAM_LINES[0] in line:
            lines += [line.replace(UPSTREAM_LINES[0], f"server 127.0.0.1:{port} ") for port in web_ports]
            continue
        if UPSTREAM_LINES[1] in line:
            continue
        for site_port, port in (listen or {}).items():
            line = line.replace(f"listen {site_port}", f"listen 127.0.0.1:{port}")
        lines.append(line)
    return "\n".join(lines).replace("/etc/ssl/silta/", f"{directory}/").replace("/var/log/nginx/", f"{directory}/")


def certificate(directory: Path, address: str) -> None:
    """A self-signed certificate for ``address`` (fullchain.pem, privkey.pem), valid for a day."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=silta.test",
                    "-addext", f"subjectAltName=IP:{address}", "-keyout", str(directory / "privkey.pem"),
                    "-out", str(directory / "fullchain.pem")], check=True, capture_output=True, timeout=60)


def nginx_command(directory: Path, web_ports: list[int], address: str, listen: dict[int, int] | None = None,
                  workers: int = 1) -> list[str]:
    """Write an nginx.conf in ``directory`` that includes the site (with a certificate for ``address``) and
    return the command that runs it in the foreground."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate(directory, address)
    (directory / "silta.conf").write_text(nginx_site(web_ports, directory, listen))
    temp = " ".join(f"{kind}_temp_path {directory}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                           "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(
        f"{user}worker_processes {workers};\npid {directory}/nginx.pid;\nerror_log {directory}/error.log warn;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n  {temp}\n  include {directory}/silta.conf;\n}}\n")
    return [str(NGINX), "-p", str(directory), "-c", str(directory / "nginx.conf"), "-g", "daemon off;"]
