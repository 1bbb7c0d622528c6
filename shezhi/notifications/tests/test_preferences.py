"""Channel preferences: the inbox always, SMS on or off, on the phone page and through the API,
each user only their own."""

from shezhi.notifications.models import Preference


def test_default_is_on_and_the_page_turns_sms_off_and_on(world, client, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    client.force_login(world.bob)
    page = client.get("/m/inbox/settings/").content.decode()
    assert 'name="sms"' in page and "checked" in page
    assert world.bob_volunteer.masked_phone in page
    response = client.post("/m/inbox/settings/", {})
    assert response.status_code == 302
    assert Preference.objects.get(user=world.bob).sms is False
    client.post("/m/inbox/settings/", {"sms": "on"})
    assert Preference.objects.get(user=world.bob).sms is True
    assert not Preference.objects.filter(user=world.erin).exists()  # only one's own


def test_the_page_says_when_the_platform_sends_no_sms(world, client, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox"]
    client.force_login(world.dora)
    page = client.get("/m/inbox/settings/").content.decode()
    assert "本平台暂未开通短信通知" in page and 'name="sms"' not in page


def test_a_resident_registered_for_sms_is_told_so(world, client, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    world.dora_resident.sms_notices = True
    world.dora_resident.save()
    client.force_login(world.dora)
    page = client.get("/m/inbox/settings/").content.decode()
    assert "社区已为您登记短信告知" in page and world.dora_resident.masked_phone in page


def test_the_page_needs_a_login(client):
    assert client.get("/m/inbox/settings/").status_code == 302


def test_api_reads_and_sets_ones_own_preference(world, client, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    client.force_login(world.bob)
    url = "/api/v1/notifications/preferences"
    assert client.get(url).json() == {
        "sms": True,
        "sms_available": True,
        "mobile": world.bob_volunteer.masked_phone,
    }
    done = client.put(url, {"sms": False}, content_type="application/json")
    assert done.status_code == 200 and done.json()["sms"] is False
    bad = client.put(url, {"sms": "no"}, content_type="application/json")
    assert bad.status_code in (400, 422)
    assert Preference.objects.get(user=world.bob).sms is False
    client.logout()
    assert client.get(url).status_code == 401
