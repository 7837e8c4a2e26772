"""The promises the README makes: two commands, demo logins that exist, a run command that starts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from portal.demo.seed import DEMO_LOGINS
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_has_exactly_two_shell_blocks():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```", quick_start, flags=re.S | re.M)
    assert len(blocks) == 2
    assert "python -m portal" in blocks[0]
    assert "pytest" in blocks[1] and ".[test,rtc]" in blocks[1]  # the video tests need the echo bot's extra
    assert ".[rtc]" in blocks[0]  # the embedded default starts the echo bot


def test_every_demo_login_is_in_the_readme():
    for email, _ in DEMO_LOGINS:
        assert f"`{email}`" in README, email


def test_run_command_starts_silta_with_the_demo_county(tmp_path):
    """``python -m portal`` on an empty instance folder: migrates, seeds, serves, answers /healthz."""
    port = free_port()
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_PORT": str(port)}
    env.pop("PORTAL_DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "portal"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.3)
        else:
            pytest.fail("Silta did not start within 90 s")
        assert health.json() == {"status": "ok"}
        login = requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert login.status_code == 200 and 'lang="fi"' in login.text
        assert (tmp_path / "silta.sqlite3").exists() and (tmp_path / "secret_key").exists()
        # Ready once the job thread has beaten and the echo bot (right after the server listens) is connected.
        deadline = time.monotonic() + 60
        while (ready := requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)).status_code != 200:
            assert time.monotonic() < deadline, ready.json()
            time.sleep(0.3)
        assert {name: check["state"] for name, check in ready.json()["checks"].items()} == {
            "database": "ok", "redis": "off", "jobs": "ok", "outbox": "ok", "echo_bot": "ok",
            "janus": "off"}
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert "demo county: DemoSummary(created=True" in output
    assert "echo bot: connected" in output  # the pre-call test's bot comes with the run command


def test_broken_configuration_stops_start_with_a_clear_message(tmp_path):
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_ENV": "production"}
    env.pop("PORTAL_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "portal"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "PORTAL_SECRET_KEY must be set" in result.stderr and "Traceback" not in result.stderr
