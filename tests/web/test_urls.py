"""Remembered links (portal/web/urls.py) are the links Flask itself builds, under every script root."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

CASES = [("static", {"filename": "silta.css"}), ("core.index", {}), ("messages.unread", {}),
         ("auth.login", {"next": "/me?x=1 2"}), ("static", {"filename": "vendor/hds/hds.min.css", "v": 3})]


def _flask_builds(app, endpoint, **values):
    return Flask.url_for(app, endpoint, **values)


@pytest.mark.parametrize("root", ["", "/silta"])
def test_a_remembered_link_is_the_one_flask_builds(app, root):
    for _round in range(2):  # the second round comes from the cache
        with app.test_request_context("/me", base_url=f"http://localhost{root}/"):
            for endpoint, values in CASES:
                assert url_for(endpoint, **values) == _flask_builds(app, endpoint, **values)
                assert url_for(endpoint, **values).startswith(f"{root}/")


def test_the_script_root_is_part_of_what_is_remembered(app):
    with app.test_request_context("/", base_url="http://localhost/"):
        plain = url_for("core.index")
    with app.test_request_context("/", base_url="http://localhost/county/"):
        assert url_for("core.index") == "/county/"
    assert plain == "/"


def test_a_relative_endpoint_names_the_blueprint_of_its_request(app):
    with app.test_request_context("/messages/unread"):
        assert url_for(".unread") == "/messages/unread"
    with app.test_request_context("/login"):
        assert url_for(".login") == url_for("auth.login")


def test_anything_but_a_plain_relative_link_is_built_by_flask(app):
    with app.test_request_context("/me"):
        assert url_for("core.index", _external=True) == "http://localhost/"
        assert url_for("core.index", _anchor="main") == "/#main"
        assert url_for("static", filename="a.css", flag=True) == "/static/a.css?flag=True"
    assert not app._built_urls  # none of them was remembered


def test_an_unknown_endpoint_still_fails_and_is_not_remembered(app):
    from werkzeug.routing import BuildError

    with app.test_request_context("/me"), pytest.raises(BuildError):
        url_for("no.such_endpoint")
    assert not any("no.such_endpoint" in key for key in app._built_urls)


def test_a_url_defaults_function_is_refused(app):
    app.url_default_functions[None] = [lambda endpoint, values: values.setdefault("lang", "fi")]
    app._built_urls.clear()
    with app.test_request_context("/me"), pytest.raises(RuntimeError, match="url_defaults"):
        url_for("core.index")
