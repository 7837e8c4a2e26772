def test_front_page_sends_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_login_page_is_finnish_by_default(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="fi">' in body


def test_security_headers(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_enum_members_with_equal_values_keep_their_own_labels(app):
    from portal.people.models import ClientLanguage, DiagnosisGroup, Gender
    from portal.web.templating import label

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert [label(Gender.OTHER), label(ClientLanguage.OTHER), label(DiagnosisGroup.OTHER)] == [
            "Other gender", "Other language", "Other diagnosis group"]
