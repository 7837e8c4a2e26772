"""Translated text in templates is text: a catalog string is escaped like any other value.

Jinja's i18n extension marks what ``gettext`` returns as safe markup when autoescaping is on, so a ``<`` in a
catalog (``<5``) reached the page as a raw tag. These callables escape the translation first and then
substitute the named placeholders, which are escaped as usual (a value that is already ``Markup`` — a link
built in a template — stays markup). Markup therefore lives only in templates, never in a catalog.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

# A translation without placeholders, escaped and formatted once per process: a page shows 30-60 of them.
# Keyed by the translated text itself (the catalogs' strings: a bounded set; emptied if it ever grows past).
_PLAIN: dict[str, Markup] = {}
PLAIN_KEPT = 8192


def _text(context: Context, rv: str, variables: dict) -> str:
    # Always a format string, as Jinja's own gettext: "%%" is a percent sign with or without placeholders.
    if not context.eval_ctx.autoescape:
        return rv % variables
    if variables:
        return escape(rv) % variables
    done = _PLAIN.get(rv)
    if done is None:
        done = escape(rv) % variables
        if len(_PLAIN) >= PLAIN_KEPT:
            _PLAIN.clear()
        _PLAIN[rv] = done
    return done


# ``func`` is a catalog's own method (or a plain function around one): called directly, not through the
# template context's call, which looks for pass_context markers on it each time.

def make_gettext(func: Callable[[str], str]):
    @pass_context
    def gettext(__context: Context, __string: str, **variables) -> str:
        return _text(__context, func(__string), variables)
    return gettext


def make_ngettext(func: Callable[[str, str, int], str]):
    @pass_context
    def ngettext(__context: Context, __singular: str, __plural: str, __num: int, **variables) -> str:
        variables.setdefault("num", __num)
        return _text(__context, func(__singular, __plural, __num), variables)
    return ngettext


def install(jinja_env) -> None:
    """The environment's own gettext/ngettext (macros imported without context use these)."""
    from portal.i18n import translations

    jinja_env.globals.update(
        gettext=make_gettext(lambda s: translations().ugettext(s)),
        ngettext=make_ngettext(lambda s, p, n: translations().ungettext(s, p, n)),
    )


