"""The grid worker registers a resident without a smartphone for SMS notices, on the desk page
or through the API; an outsider cannot."""

from shezhi.people.models import Resident


def test_grid_worker_turns_sms_notices_on_and_off(world, client):
    resident = world.dora_resident
    client.force_login(world.gina)
    url = f"/desk/residents/{resident.pk}/"
    assert "开通短信通知（无智能手机）" in client.get(url).content.decode()
    assert client.post(f"{url}sms/", {"sms_notices": "on"}).status_code == 302
    assert Resident.objects.get(pk=resident.pk).sms_notices is True
    assert "已开通：需求进展以短信告知" in client.get(url).content.decode()
    client.post(f"{url}sms/", {"sms_notices": "off"})
    assert Resident.objects.get(pk=resident.pk).sms_notices is False


def test_an_outsider_cannot_touch_the_flag(world, client):
    client.force_login(world.charlie)
    response = client.post(f"/desk/residents/{world.dora_resident.pk}/sms/", {"sms_notices": "on"})
    assert response.status_code == 404
    assert Resident.objects.get(pk=world.dora_resident.pk).sms_notices is False
    client.force_login(world.bob)  # a volunteer has no desk
    client.post(f"/desk/residents/{world.dora_resident.pk}/sms/", {"sms_notices": "on"})
    assert Resident.objects.get(pk=world.dora_resident.pk).sms_notices is False


def test_the_api_sets_the_flag_for_staff_in_scope(world, client):
    url = f"/api/v1/residents/{world.dora_resident.pk}"
    client.force_login(world.gina)
    done = client.patch(url, {"sms_notices": True}, content_type="application/json")
    assert done.status_code == 200 and done.json()["sms_notices"] is True
    client.force_login(world.charlie)
    refused = client.patch(url, {"sms_notices": False}, content_type="application/json")
    assert refused.status_code == 404
    assert Resident.objects.get(pk=world.dora_resident.pk).sms_notices is True
