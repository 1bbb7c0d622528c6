"""Door-knocking campaigns through the API: targeting and doors as visits (audit finding 12).
Charlie is the outsider."""

from shezhi.care.models import CareProfile
from shezhi.care.tests.factories import register
from shezhi.people.models import VulnerabilityTag
from shezhi.people.tests.factories import ResidentFactory


def test_launch_a_targeted_campaign_and_record_a_door(as_user, world):
    alone = ResidentFactory(grid=world.a["grid"], address="1栋101")
    alone.tags.add(VulnerabilityTag.objects.get(code="living_alone"))
    other = ResidentFactory(grid=world.a["grid"], address="2栋101")
    for r in (alone, other):
        register(world.alice, r, "key")
    body = {"unit_id": world.a["community"].pk, "name": "独居老人敲门", "tags": ["living_alone"]}
    assert as_user(world.charlie).post("/care/campaigns", body).status_code == 404
    response = as_user(world.alice).post("/care/campaigns", body)
    assert response.status_code == 201, response.content
    campaign = response.json()
    assert campaign["target_tags"] == ["living_alone"]
    bad = as_user(world.alice).post("/care/campaigns", {**body, "risk_levels": ["max"]})
    assert bad.status_code == 400
    from shezhi.care.models import CampaignStop

    stop = CampaignStop.objects.get(campaign_id=campaign["id"])
    assert (
        as_user(world.charlie).post(f"/care/stops/{stop.pk}", {"outcome": "visited"}).status_code
        == 404
    )
    done = as_user(world.gina).post(f"/care/stops/{stop.pk}", {"outcome": "visited"})
    assert done.status_code == 200 and done.json()["outcome"] == "visited"
    assert CareProfile.objects.get(resident=alone).last_seen_on is not None
