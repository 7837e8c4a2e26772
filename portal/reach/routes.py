"""No pages of its own: what the client's pages (home, message form, waiting room) use to show the way
to a human and the crisis box."""

from __future__ import annotations

from flask_babel import get_locale

from portal.reach import bp, crisis, queries

bp.record_once(lambda state: crisis.check(state.app))
bp.add_app_template_global(lambda: crisis.lines_for(str(get_locale())), "crisis_lines")
bp.add_app_template_global(queries.unit_contact, "unit_contact")
bp.add_app_template_filter(crisis.tel_href, "tel_href")
