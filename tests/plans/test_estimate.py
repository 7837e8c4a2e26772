"""PPT phase 1 (seed 003): with the client, a preliminary estimate of how long and how much service is needed."""

from __future__ import annotations

from portal.auth.models import Role
from portal.plans.models import Plan

FORM = {"estimate-months": "6", "estimate-contacts_per_month": "4", "estimate-services": "Lääkäri ja sosiaaliohjaus",
        "estimate-with_client": "y"}


def test_phase_one_records_the_estimate_with_the_client_and_the_team_sees_it(app, db, client, login, create_staff,
                                                                           create_client, create_enrolment):
    worker = create_staff(Role.WORKER)
    ppt = create_enrolment(create_client(), coordinator=worker, programme="many-services")
    remote = create_enrolment(create_client(), coordinator=worker)
    login(worker)
    refused = client.post(f"/plans/{ppt.id}/estimate", data={**FORM, "estimate-with_client": ""})
    assert refused.status_code == 400 and "Lääkäri ja sosiaaliohjaus" in refused.get_data(as_text=True)
    assert client.post(f"/plans/{remote.id}/estimate", data=FORM).status_code == 400  # no phase 1 estimate there
    assert db.session.query(Plan).count() == 0  # nothing half-saved
    assert client.post(f"/plans/{ppt.id}/estimate", data=FORM).status_code == 302
    plan = db.session.query(Plan).one()
    assert (plan.estimate_months, plan.estimate_contacts_per_month, plan.estimated_by_id) == (6, 4, worker.id)
    assert not plan.versions  # an estimate is not an agreed plan
    page = client.get(f"/plans/{ppt.id}?lang=en").get_data(as_text=True)
    assert "Lääkäri ja sosiaaliohjaus" in page
    ppt.phase = "assessment-planning"  # phase 2 is the multidisciplinary assessment: the estimate is done
    db.session.commit()
    assert client.post(f"/plans/{ppt.id}/estimate", data={**FORM, "estimate-months": "12"}).status_code == 400
