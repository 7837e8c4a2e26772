"""Staff titles and own-team roles are structured and translated; free text only where nothing matched."""

from __future__ import annotations

import importlib.util

from flask_babel import force_locale

from portal.auth.models import JobTitle, Role
from portal.config import PACKAGE
from portal.programmes import registry

MIGRATION = PACKAGE / "migrations" / "versions" / "f16c0de00012_unit_phone_questionnaire_links_titles.py"


def _migration():
    spec = importlib.util.spec_from_file_location("f16c0de00012", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_structured_title_wins_over_the_free_text(app, create_staff):
    user = create_staff(Role.WORKER)
    user.title, user.job_title = "sosiaaliohjaaja, etäohjaus", JobTitle.SOCIAL_COUNSELLOR
    with app.test_request_context(), force_locale("en"):
        assert user.title == "Social counsellor"
    user.job_title = None
    assert user.title == "sosiaaliohjaaja, etäohjaus"  # the fallback, as written


def test_the_migrations_vocabulary_names_real_titles_and_roles(app):
    migration = _migration()
    assert set(migration.JOB_TITLES.values()) <= {t.value for t in JobTitle}
    assert migration._head("Sosiaaliohjaaja, jonokoordinaattorin varahenkilö") == "sosiaaliohjaaja"
    for code, roles in migration.PROGRAMME_ROLES.items():
        definition = registry.definition(code)
        assert roles <= {r.code for r in definition.team_roles}, code
    assert set(migration.TEAM_ROLES.values()) <= set().union(*migration.PROGRAMME_ROLES.values())
