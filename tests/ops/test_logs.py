"""Request ids and JSON log lines: the id in the header, in every line of the request, on error pages;
no token, query string or path in the log."""

from __future__ import annotations

import io
import json
import logging

import pytest

from portal.ops import logs


@pytest.fixture
def json_log():
    """Everything logged while the test runs, as the JSON lines production writes."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_the_request_id_and_no_token(client, json_log):
    secret = "Zx9SecretFeedToken"
    response = client.get(f"/calendar/{secret}.ics?token={secret}Query&email=aino%40example.fi")
    request_id = response.headers["X-Request-ID"]
    logging.getLogger("portal.test").info("outside any request")
    records = lines(json_log)
    mine = [r for r in records if r.get("request_id") == request_id]
    assert mine and mine[-1]["endpoint"] == "appointments.feed" and mine[-1]["status"] == response.status_code
    assert {"timestamp", "level", "logger", "message"} <= set(mine[-1])
    assert records[-1]["request_id"] == "-"
    text = json_log.getvalue()
    assert secret not in text and "aino" not in text and "/calendar/" not in text


def test_the_request_id_is_new_unless_a_trusted_proxy_gives_a_sane_one(client):
    first, second = client.get("/login"), client.get("/login", headers={"X-Request-ID": "abcdef0123456789"})
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"] != "abcdef0123456789"


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_a_trusted_proxy_gives_the_request_id(client):
    given = "4f1c2b9a7e6d5c4b3a291807f6e5d4c3"  # nginx's $request_id
    assert client.get("/login", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    for insane in ("short", "has space in it 123", "x" * 200, "<script>alert(1)</script>"):
        assert client.get("/login", headers={"X-Request-ID": insane}).headers["X-Request-ID"] != insane


def test_error_pages_show_the_request_id(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert f"Error id: {request_id}" in response.get_data(as_text=True)


def test_text_format_and_a_bad_format(json_log):
    record = logging.LogRecord("portal.x", logging.INFO, __file__, 1, "hello", (), None)
    logs.RequestIdFilter().filter(record)
    assert logs.formatter("text").format(record).endswith("portal.x [-] hello")
    from portal.config import ConfigError
    from tests.conftest import make_app

    with pytest.raises(ConfigError, match="PORTAL_LOG_FORMAT"):
        make_app("sqlite://", LOG_FORMAT="xml")


def test_an_unexpected_error_shows_and_logs_its_id(sqlite_template, tmp_path, monkeypatch, json_log):
    """Outside testing mode (as in production) a crash renders the 500 page with the id, and the logged
    traceback line carries the same id."""
    import shutil

    from tests.conftest import make_app

    monkeypatch.setattr(logs, "configure", lambda fmt: None)  # keep pytest's own log handlers as they are
    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", TESTING=False)

    def crash():
        detail = "a parameter: " + "aino.private@example.fi"  # built at run time: the frame's source line
        raise RuntimeError(detail)  # is in the log, its value must not be

    app.add_url_rule("/crash-for-test", "crash_for_test", crash)
    response = app.test_client().get("/crash-for-test", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert f"Error id: {request_id}" in response.get_data(as_text=True)
    errors = [r for r in lines(json_log) if r["level"] == "ERROR"]
    assert errors and errors[-1]["request_id"] == request_id and "crash-for-test" in errors[-1]["message"]
    assert "RuntimeError" in errors[-1]["message"] and "in crash" in errors[-1]["message"]  # what and where
    assert "aino.private" not in json_log.getvalue()  # not the error's text


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute"}])
def test_a_login_refused_by_the_rate_limit_leaves_no_email_in_the_log(client, json_log):
    for _attempt in range(3):
        response = client.post("/login", data={"email": "aino.private@example.fi", "password": "wrong"})
    assert response.status_code == 429
    assert "aino.private" not in json_log.getvalue()
