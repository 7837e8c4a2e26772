"""Catalog strings are text, never markup: a "<" in a translation is escaped, markup stays in templates."""

from __future__ import annotations

from flask import render_template_string
from markupsafe import Markup


def test_a_translation_is_escaped_and_its_values_too(app):
    with app.test_request_context("/?lang=en"):
        page = render_template_string("<p>{{ _('Groups below %(n)s are shown as <%(n)s', n='<b>') }}</p>")
    assert page == "<p>Groups below &lt;b&gt; are shown as &lt;&lt;b&gt;</p>"


def test_markup_built_in_the_template_stays_markup(app):
    with app.test_request_context("/?lang=en"):
        page = render_template_string("{{ _('See %(link)s.', link=link) }} {{ ngettext('%(num)s < one', "
                                      "'%(num)s < many', 2) }}", link=Markup('<a href="/x">x</a>'))
    assert page == 'See <a href="/x">x</a>. 2 &lt; many'


def test_macros_imported_without_context_escape_too(app):
    with app.test_request_context("/?lang=en"):
        template = app.jinja_env.from_string("{% macro m() %}{{ gettext('a < b') }}{% endmacro %}")
        assert str(template.module.m()) == "a &lt; b"
