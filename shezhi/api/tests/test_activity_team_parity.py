"""The page writes that reached /api/v1 last: publish an activity, record a sign-up's insurance,
write the summary and add or delete its photos, and add a member to a team. Each goes through the
page's service, so the organiser may, the outsider (another unit's social worker) finds nothing,
a volunteer without the right is refused, and bad input gets a Chinese message."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shezhi.activities import after, signups
from shezhi.activities.models import Activity, InsuranceRecord, Summary, SummaryPhoto
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import activity
from shezhi.volunteers.models import TeamMembership
from shezhi.volunteers.tests.factories import VolunteerFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _draft(world, **overrides):
    now = timezone.now()
    fields = {
        "starts_at": now + timedelta(days=2),
        "ends_at": now + timedelta(days=2, hours=2),
        "now": now,
    }
    fields.update(overrides)
    return activity(world.alice, world.a["community"], publish=False, **fields)


@pytest.fixture
def ended(world):
    now = timezone.now()
    return activity(
        world.alice,
        world.a["community"],
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        positions=[PositionSpec(name="甲", quota=3)],
    )


def _png() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, "PNG")
    return SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png")


def _chinese(response) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in response.json()["message"])


# --- publish ---------------------------------------------------------------------------------


def test_organiser_publishes_a_draft_once(world, as_user):
    draft = _draft(world)
    api = as_user(world.alice)
    ok = api.post(f"/activities/{draft.pk}/publish")
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "published" and ok.json()["published_at"]
    again = api.post(f"/activities/{draft.pk}/publish")
    assert again.status_code == 409 and _chinese(again)


def test_publish_refused_to_the_outsider_and_a_volunteer(world, as_user):
    draft = _draft(world)
    assert as_user(world.charlie).post(f"/activities/{draft.pk}/publish").status_code == 404
    # A volunteer does not see a draft at all, as on the page (the same service answers).
    assert as_user(world.bob).post(f"/activities/{draft.pk}/publish").status_code == 404
    assert Activity.objects.get(pk=draft.pk).status == "draft"


def test_publish_of_a_started_activity_or_a_bad_id_is_refused_in_chinese(world, as_user):
    draft = _draft(world)
    # It began while still a draft (the clock moved on, not the form).
    Activity.objects.filter(pk=draft.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    api = as_user(world.alice)
    started = api.post(f"/activities/{draft.pk}/publish")
    assert started.status_code == 409 and started.json()["field"] == "starts_at"
    assert _chinese(started)
    bad_id = api.post("/activities/abc/publish")
    assert bad_id.status_code in (400, 404) and _chinese(bad_id)


# --- insurance -------------------------------------------------------------------------------

POLICY = {
    "policy_no": "PA-2026-001",
    "insurer": "某保险公司",
    "valid_from": "2026-01-01",
    "valid_to": "2099-12-31",
}


@pytest.fixture
def signup(world):
    act = activity(
        world.alice,
        world.a["community"],
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=2),
        now=timezone.now(),
    )
    return signups.signup_create(actor=world.bob, position_id=act.positions.get().pk)


def test_organiser_records_the_insurance_of_a_sign_up(world, as_user, signup):
    response = as_user(world.alice).post(f"/activities/signups/{signup.pk}/insurance", POLICY)
    assert response.status_code == 201, response.content
    assert response.json()["volunteer_id"] == world.bob_volunteer.pk
    assert InsuranceRecord.objects.filter(volunteer=world.bob_volunteer).count() == 1


def test_insurance_refused_to_the_outsider_and_the_volunteer(world, as_user, signup):
    url = f"/activities/signups/{signup.pk}/insurance"
    assert as_user(world.charlie).post(url, POLICY).status_code == 404
    assert as_user(world.bob).post(url, POLICY).status_code in (403, 404)
    assert not InsuranceRecord.objects.exists()


def test_insurance_bad_input_is_a_chinese_400(world, as_user, signup):
    url = f"/activities/signups/{signup.pk}/insurance"
    api = as_user(world.alice)
    missing = api.post(url, {**POLICY, "policy_no": ""})
    assert missing.status_code == 400 and _chinese(missing)
    backwards = api.post(url, {**POLICY, "valid_from": "2030-01-01", "valid_to": "2029-01-01"})
    assert backwards.status_code == 400 and _chinese(backwards)
    assert not InsuranceRecord.objects.exists()


# --- summary text and photos -----------------------------------------------------------------


def test_organiser_writes_and_rewrites_the_summary(world, as_user, ended):
    api = as_user(world.alice)
    first = api._send("put", f"/activities/{ended.pk}/summary", {"text": "活动顺利"})
    assert first.status_code == 200 and first.json()["text"] == "活动顺利"
    api._send("put", f"/activities/{ended.pk}/summary", {"text": "补充：共服务30人"})
    assert Summary.objects.get(activity=ended).text == "补充：共服务30人"


def test_summary_refused_to_the_outsider_and_a_volunteer(world, as_user, ended):
    url = f"/activities/{ended.pk}/summary"
    assert as_user(world.charlie)._send("put", url, {"text": "x"}).status_code == 404
    assert as_user(world.bob)._send("put", url, {"text": "x"}).status_code == 403
    assert not Summary.objects.exists()


def test_summary_bad_input_and_before_the_end(world, as_user, ended):
    api = as_user(world.alice)
    empty = api._send("put", f"/activities/{ended.pk}/summary", {"text": ""})
    assert empty.status_code == 400 and _chinese(empty)
    too_long = api._send("put", f"/activities/{ended.pk}/summary", {"text": "长" * 5001})
    assert too_long.status_code == 400 and _chinese(too_long)
    early = api._send("put", f"/activities/{_draft(world).pk}/summary", {"text": "好"})
    assert early.status_code in (400, 409) and _chinese(early)


def _upload(user, act, photo):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.post(f"/api/v1/activities/{act.pk}/summary/photos", {"photo": photo})


def test_organiser_uploads_and_deletes_a_summary_photo(world, as_user, ended):
    after.summary_save(actor=world.alice, activity_id=ended.pk, text="活动顺利")
    added = _upload(world.alice, ended, _png())
    assert added.status_code == 201, added.content
    assert added.json()["content_type"] == "image/png" and added.json()["width"] == 8
    url = f"/activities/{ended.pk}/summary/photos/{added.json()['id']}"
    assert as_user(world.charlie)._send("delete", url).status_code == 404
    assert as_user(world.bob)._send("delete", url).status_code == 403
    assert as_user(world.alice)._send("delete", url).status_code == 204
    assert not SummaryPhoto.objects.exists()
    gone = as_user(world.alice)._send("delete", url)
    assert gone.status_code == 404 and _chinese(gone)


def test_photo_upload_refused_to_the_outsider_and_a_volunteer(world, ended):
    after.summary_save(actor=world.alice, activity_id=ended.pk, text="活动顺利")
    assert _upload(world.charlie, ended, _png()).status_code == 404
    assert _upload(world.bob, ended, _png()).status_code == 403
    assert not SummaryPhoto.objects.exists()


def test_photo_upload_judges_the_content_like_the_page(world, ended, settings):
    no_summary = _upload(world.alice, ended, _png())
    assert no_summary.status_code == 409 and _chinese(no_summary)
    after.summary_save(actor=world.alice, activity_id=ended.pk, text="活动顺利")
    fake = SimpleUploadedFile("a.png", b"not an image at all", content_type="image/png")
    refused = _upload(world.alice, ended, fake)
    assert refused.status_code == 400 and _chinese(refused)
    from django.test import Client

    client = Client()
    client.force_login(world.alice)
    missing = client.post(f"/api/v1/activities/{ended.pk}/summary/photos", {})
    assert missing.status_code == 400 and _chinese(missing)
    assert not SummaryPhoto.objects.exists()


# --- a member added to a team (the leader on the phone, the desk) -----------------------------


@pytest.fixture
def leader(world):
    TeamMembership.objects.filter(team=world.team, volunteer=world.erin_volunteer).update(
        role=TeamMembership.TeamRole.LEADER
    )
    return world.erin


def test_leader_and_desk_add_a_member(world, as_user, leader):
    url = f"/teams/{world.team.pk}/join"
    by_leader = as_user(world.erin).post(url, {"volunteer_id": world.bob_volunteer.pk})
    assert by_leader.status_code == 200, by_leader.content
    other = VolunteerFactory(community=world.a["community"])
    assert as_user(world.alice).post(url, {"volunteer_id": other.pk}).status_code == 200
    assert TeamMembership.objects.filter(team=world.team).count() == 3


def test_team_add_refused_to_the_outsider_and_a_plain_volunteer(world, as_user):
    url = f"/teams/{world.team.pk}/join"
    other = VolunteerFactory(community=world.a["community"])
    assert as_user(world.charlie).post(url, {"volunteer_id": other.pk}).status_code == 404
    assert as_user(world.bob).post(url, {"volunteer_id": other.pk}).status_code == 403
    assert not TeamMembership.objects.filter(volunteer=other).exists()


def test_team_add_only_the_communitys_volunteers_and_once(world, as_user, leader):
    url = f"/teams/{world.team.pk}/join"
    api = as_user(world.erin)
    elsewhere = VolunteerFactory(community=world.b["community"])
    refused = api.post(url, {"volunteer_id": elsewhere.pk})
    assert refused.status_code == 400 and refused.json()["field"] == "volunteer_id"
    assert _chinese(refused)
    assert not TeamMembership.objects.filter(volunteer=elsewhere).exists()
    bad = api.post(url, {"volunteer_id": "鲍勃"})
    assert bad.status_code == 400 and _chinese(bad)
    api.post(url, {"volunteer_id": world.bob_volunteer.pk})
    twice = api.post(url, {"volunteer_id": world.bob_volunteer.pk})
    assert twice.status_code == 409 and _chinese(twice)
