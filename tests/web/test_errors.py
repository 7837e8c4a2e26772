"""Error pages: translated, helpful, and never a stack trace."""

from __future__ import annotations

import pytest


def test_404_is_translated(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Sivua ei löytynyt" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"TESTING": False}])
def test_unexpected_error_shows_a_calm_page(app, client, app_config):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail about Aino Mäkelä")

    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in body and "Aino" not in body
    assert "Antamiasi tietoja ei tallennettu" in body


@pytest.mark.parametrize("app_config", [{"TESTING": False}])
def test_unexpected_error_log_has_no_personal_data(app, client, caplog, app_config):
    @app.route("/boom2")
    def boom2():
        raise RuntimeError("boom")

    client.get("/boom2?name=Aino")
    assert "Aino" not in caplog.text
