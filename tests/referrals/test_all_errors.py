"""The referral form shows all its errors at once (issue 17: it revealed them in instalments — first the
fields, then each missing part of the consent, then the age)."""

from __future__ import annotations

from tests.referrals.test_routes import referral_form

CONSENT = "A referral needs the client&#39;s consent: note who consented, when and how."


def test_every_error_of_the_referral_form_is_shown_at_once(client, login, referrer, unit):
    login(referrer)
    response = client.post("/referrals/new", data=referral_form(
        unit, situation="", consent_by=None, consent_on=None, consent_how=None, birth_year="2020"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Describe the situation." in page  # the field's own check
    assert page.count(CONSENT) >= 3  # who, when and how, each at its field (and in the summary)
    assert "consent_how-error" in page or 'id="consent_how' in page
    assert 'value="Pesonen"' in page  # what was typed stays
    too_young = client.post("/referrals/new", data=referral_form(unit, birth_year="2020", consent_on=None))
    html = too_young.get_data(as_text=True)
    assert too_young.status_code == 400 and CONSENT in html
    assert "Health social work serves adults: the client must be at least 18." in html  # in the same answer
