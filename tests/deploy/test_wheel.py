"""The built wheel is the whole application: installed into a fresh venv outside the checkout, `silta prepare`
and `silta serve` give a Finnish page with its styles.

How it stays fast: the wheel is built from a copy of the checkout (`pip wheel --no-deps`, so no `build/`
lands in the tree) and installed with `--no-deps`; the fresh venv sees the already-installed dependencies
through a .pth line naming the test venv's site-packages. Lines in a .pth add a directory to sys.path but do
not run that directory's own .pth files, so the checkout's editable install stays invisible: `portal`
comes from the wheel (asserted below).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.services import free_port

pytestmark = pytest.mark.deploy

REPO = Path(__file__).resolve().parents[2]
SKIP_IN_COPY = shutil.ignore_patterns(".git", ".venv", "node_modules", "build", "dist", "instance", "__pycache__",
                                      "*.egg-info", "*.mo", ".pytest_cache")


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv outside the checkout with only the built wheel installed in it; returns its bin directory."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(REPO, source, ignore=SKIP_IN_COPY)
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base / "dist"), str(source))
    wheel = next((base / "dist").glob("silta-*.whl"))
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel))
    own_site = _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    (Path(own_site) / "silta_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv / "bin"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "PYTHON", "FLASK_"))}
    return {**env, "HOME": str(home), "PORTAL_JOBS_ENABLED": "false", "PORTAL_RTC_BOTS": "0"}


def test_the_wheel_serves_a_translated_page(installed, tmp_path):
    env, cwd = _env(tmp_path), tmp_path  # outside the checkout
    where = _run(str(installed / "python"), "-c", "import portal; print(portal.__file__)", cwd=cwd, env=env)
    assert where.stdout.startswith(str(installed.parent)), where.stdout
    prepared = _run(str(installed / "silta"), "prepare", cwd=cwd, env=env)
    assert "prepared" in prepared.stdout
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([str(installed / "silta"), "serve", "--bind", f"127.0.0.1:{port}"], cwd=cwd, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        page = _get(f"http://127.0.0.1:{port}/login", server, tmp_path / "serve.log")
        assert 'lang="fi"' in page
        assert "Kirjaudu" in page  # the Finnish catalog, compiled into the wheel
        assert "silta.css" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/silta.css", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(20)
        log.close()


def test_the_web_app_does_not_import_the_media_stack(installed, tmp_path):
    """aiortc and PyAV are the rtc extra's: a web process builds the app without them."""
    # As in a venv without the extra: importing any of them fails (a None entry in sys.modules).
    code = ("import sys; sys.modules.update(aiortc=None, av=None, aioice=None); "
            "import portal; portal.create_app({'SEED_DEMO_ON_START': False}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiortc', 'av', 'aioice')))")
    result = _run(str(installed / "python"), "-c", code, cwd=tmp_path, env=_env(tmp_path))
    assert result.stdout.strip() == "['aioice', 'aiortc', 'av']"  # only the blocking entries


def _get(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"silta serve exited:\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url}:\n{log.read_text()[-3000:]}")
