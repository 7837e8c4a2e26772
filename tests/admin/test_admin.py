"""Administration: programmes and units are shown; client accounts are not staff accounts."""

from __future__ import annotations

from portal.auth.models import Role


def test_overview_lists_the_five_programmes(client, login, create_staff):
    login(create_staff(Role.ADMIN))
    body = client.get("/admin").get_data(as_text=True)
    for name in ("Kotiin annettava etäsosiaaliohjaus", "Paljon palvelua tarvitsevien tuki (PPT)",
                 "Terveyssosiaalityö perusterveydenhuollossa"):
        assert name in body
    assert client.get("/admin/programmes/intensive-rehabilitation").status_code == 200
    assert client.get("/admin/programmes/no-such").status_code == 404


def test_client_accounts_are_not_staff_accounts(client, login, create_staff, create_client):
    login(create_staff(Role.ADMIN))
    assert client.get(f"/admin/users/{create_client().user_id}").status_code == 404
    assert client.get("/admin/users/999999").status_code == 404
