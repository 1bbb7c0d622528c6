"""Activity pages after the activity and the organiser's tools: editing with several positions,
cancelling, a leader's bulk sign-up, ratings, the summary with photos and the photo view."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from shezhi.activities import after, services, signups
from shezhi.activities import attendance as checkins
from shezhi.activities.models import Activity, Rating, SignUp, SummaryPhoto
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import NOW, activity
from shezhi.volunteers.tests.factories import VolunteerFactory, add_member


def client_of(user):
    c = Client()
    c.force_login(user)
    return c


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def ended(world):
    """Held three hours ago on the real clock: Bob attended and was confirmed; Dora served."""
    now = timezone.now()
    act = activity(
        world.alice,
        world.a["community"],
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        positions=[PositionSpec(name="理发师", quota=3)],
    )
    bob = signups.signup_create(actor=world.bob, position_id=act.positions.get().pk, now=NOW)
    checkins.checkin_manual(actor=world.alice, signup_id=bob.pk, reason="补登", at=act.starts_at)
    checkins.checkout_close_forgotten(actor=world.alice, activity_id=act.pk)
    checkins.attendance_confirm(actor=world.alice, activity_id=act.pk)
    services.beneficiary_add(
        actor=world.alice, activity_id=act.pk, resident_id=world.dora_resident.pk
    )
    services.activity_set_headcount(actor=world.alice, activity_id=act.pk, headcount=4)
    return act


# --- editing and cancelling -------------------------------------------------------------------


def _edit_data(act, rows, **fields):
    local = timezone.localtime
    data = {
        "title": act.title,
        "description": act.description,
        "venue": act.venue,
        "starts_at": local(act.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(act.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "positions-TOTAL_FORMS": str(len(rows)),
        "positions-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "20",
    }
    data.update(fields)
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"positions-{i}-{key}"] = value
    return data


@pytest.fixture
def upcoming(world):
    return activity(
        world.alice,
        world.a["community"],
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
        positions=[PositionSpec(name="理发师", quota=1)],
    )


def test_edit_page_shows_the_positions_formset(world, upcoming):
    page = client_of(world.alice).get(f"/desk/activities/{upcoming.pk}/edit/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="positions-0-name"' in body and 'value="理发师"' in body
    assert 'name="positions-1-name"' in body  # the empty row that adds a position


def test_edit_changes_fields_and_adds_a_second_position(world, upcoming):
    p = upcoming.positions.get()
    rows = [
        {"id": str(p.pk), "name": "理发", "quota": "2"},
        {"id": "", "name": "引导员", "quota": "4", "duties": "排队"},
    ]
    response = client_of(world.alice).post(
        f"/desk/activities/{upcoming.pk}/edit/", _edit_data(upcoming, rows, venue="二楼活动室")
    )
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.venue == "二楼活动室"
    assert list(upcoming.positions.values_list("name", "quota")) == [("理发", 2), ("引导员", 4)]


def test_edit_refusal_is_shown_on_the_form(world, upcoming):
    p = upcoming.positions.get()
    signups.signup_create(actor=world.bob, position_id=p.pk)
    rows = [
        {"id": str(p.pk), "name": p.name, "quota": "1", "DELETE": "on"},
        {"name": "新", "quota": "1"},
    ]
    response = client_of(world.alice).post(
        f"/desk/activities/{upcoming.pk}/edit/", _edit_data(upcoming, rows)
    )
    assert response.status_code == 409
    assert "已有人报名，不能删除" in response.content.decode()
    assert upcoming.positions.filter(pk=p.pk).exists()


def test_edit_with_a_bad_row_is_a_400_not_a_500(world, upcoming):
    p = upcoming.positions.get()
    rows = [{"id": str(p.pk), "name": "", "quota": "0"}]
    response = client_of(world.alice).post(
        f"/desk/activities/{upcoming.pk}/edit/", _edit_data(upcoming, rows)
    )
    assert response.status_code == 400


def test_outsider_gets_404_on_edit_cancel_and_summary(world, upcoming, ended):
    charlie = client_of(world.charlie)
    assert charlie.get(f"/desk/activities/{upcoming.pk}/edit/").status_code == 404
    assert (
        charlie.post(f"/desk/activities/{upcoming.pk}/cancel/", {"reason": "x"}).status_code == 404
    )
    assert charlie.get(f"/desk/activities/{ended.pk}/summary/").status_code == 404
    assert client_of(world.bob).get(f"/desk/activities/{upcoming.pk}/edit/").status_code == 403


def test_cancel_from_the_desk_cancels_the_sign_ups(world, upcoming):
    s = signups.signup_create(actor=world.bob, position_id=upcoming.positions.get().pk)
    alice = client_of(world.alice)
    assert (
        "取消原因"
        in alice.post(
            f"/desk/activities/{upcoming.pk}/cancel/", {"reason": ""}, follow=True
        ).content.decode()
    )
    page = alice.post(f"/desk/activities/{upcoming.pk}/cancel/", {"reason": "暴雨"}, follow=True)
    assert "活动已取消" in page.content.decode()
    upcoming.refresh_from_db()
    s.refresh_from_db()
    assert upcoming.status == Activity.Status.CANCELLED and s.status == SignUp.Status.CANCELLED


# --- the leader's bulk sign-up ----------------------------------------------------------------


def test_leader_signs_members_up_in_bulk_each_alone(world, upcoming):
    member = VolunteerFactory(community=world.a["community"], name="队员甲")
    add_member(world.team, member)
    add_member(world.team, world.bob_volunteer)
    erin = client_of(world.erin)
    page = erin.get(f"/m/activities/{upcoming.pk}/bulk/")
    assert page.status_code == 200 and "队员甲" in page.content.decode()
    done = erin.post(
        f"/m/activities/{upcoming.pk}/bulk/",
        {
            "position": str(upcoming.positions.get().pk),
            "volunteers": [str(member.pk), str(world.bob_volunteer.pk)],
        },
    )
    body = done.content.decode()
    assert done.status_code == 200 and 'data-testid="outcomes"' in body
    statuses = dict(SignUp.objects.filter(activity=upcoming).values_list("volunteer_id", "status"))
    assert statuses == {member.pk: "confirmed", world.bob_volunteer.pk: "waitlisted"}


def test_a_volunteer_who_leads_no_team_is_refused_bulk(world, upcoming):
    assert client_of(world.bob).get(f"/m/activities/{upcoming.pk}/bulk/").status_code == 403
    assert client_of(world.charlie).get(f"/m/activities/{upcoming.pk}/bulk/").status_code == 404


def test_leader_sees_the_bulk_link_on_the_activities_page(world, upcoming):
    assert 'data-testid="bulk-link"' in client_of(world.erin).get("/m/activities/").content.decode()
    assert (
        'data-testid="bulk-link"' not in client_of(world.bob).get("/m/activities/").content.decode()
    )


# --- ratings ----------------------------------------------------------------------------------


def test_volunteer_and_beneficiary_rate_once_on_the_phone(world, ended):
    bob = client_of(world.bob)
    assert ended.title in bob.get("/m/activities/ratings/").content.decode()
    assert (
        bob.post(f"/m/activities/{ended.pk}/rate/", {"stars": "5", "comment": "很好"}).status_code
        == 302
    )
    again = bob.post(f"/m/activities/{ended.pk}/rate/", {"stars": "1"})
    assert again.status_code == 409 and "只能评价一次" in again.content.decode()
    assert "只能评价一次" in bob.get(f"/m/activities/{ended.pk}/rate/").content.decode()
    dora = client_of(world.dora)
    assert dora.post(f"/m/activities/{ended.pk}/rate/", {"stars": "4"}).status_code == 302
    assert Rating.objects.filter(activity=ended).count() == 2


def test_rating_form_refuses_stars_out_of_range(world, ended):
    response = client_of(world.bob).post(f"/m/activities/{ended.pk}/rate/", {"stars": "9"})
    assert response.status_code == 400 and not Rating.objects.exists()


def test_outsider_cannot_open_the_rating_page(world, ended):
    assert client_of(world.charlie).get(f"/m/activities/{ended.pk}/rate/").status_code == 404


def test_staff_who_did_not_take_part_is_told_why(world, ended):
    page = client_of(world.alice).get(f"/m/activities/{ended.pk}/rate/")
    assert "只有参加活动的志愿者和登记的服务对象可以评价" in page.content.decode()


# --- summary and photos -----------------------------------------------------------------------


def test_summary_page_fills_in_the_figures(world, ended):
    after.rating_create(actor=world.bob, activity_id=ended.pk, stars=5)
    after.rating_create(actor=world.dora, activity_id=ended.pk, stars=4, comment="谢谢")
    page = client_of(world.alice).get(f"/desk/activities/{ended.pk}/summary/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="fig-volunteers">1<' in body
    assert 'data-testid="fig-hours">2.0<' in body
    assert 'data-testid="fig-beneficiaries">5（' in body
    assert "2 条，平均 4.5 星" in body and "谢谢" in body


def test_organiser_writes_the_summary_and_uploads_a_photo(world, ended, media):
    alice = client_of(world.alice)
    saved = alice.post(
        f"/desk/activities/{ended.pk}/summary/", {"text": "共服务老人5位"}, follow=True
    )
    assert "共服务老人5位" in saved.content.decode()
    up = alice.post(
        f"/desk/activities/{ended.pk}/summary/photos/",
        {"photo": SimpleUploadedFile("a.png", png(), content_type="image/png")},
        follow=True,
    )
    assert "照片已上传" in up.content.decode()
    photo = SummaryPhoto.objects.get()
    assert f"/activities/{ended.pk}/photos/{photo.pk}/" in up.content.decode()


def test_non_image_upload_gets_a_chinese_message_not_a_500(world, ended, media):
    alice = client_of(world.alice)
    alice.post(f"/desk/activities/{ended.pk}/summary/", {"text": "x"})
    up = alice.post(
        f"/desk/activities/{ended.pk}/summary/photos/",
        {"photo": SimpleUploadedFile("a.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")},
        follow=True,
    )
    assert up.status_code == 200 and "不是有效的图片" in up.content.decode()
    big = alice.post(
        f"/desk/activities/{ended.pk}/summary/photos/",
        {"photo": SimpleUploadedFile("b.png", png() + b"\0" * (5 * 1024 * 1024 + 1))},
        follow=True,
    )
    assert "照片不能超过5MB" in big.content.decode()
    assert not SummaryPhoto.objects.exists()


def test_photo_is_served_only_to_those_who_may_see_the_activity(world, ended, media):
    after.summary_save(actor=world.alice, activity_id=ended.pk, text="x")
    photo = after.summary_photo_add(
        actor=world.alice, activity_id=ended.pk, upload=SimpleUploadedFile("a.png", png())
    )
    url = f"/activities/{ended.pk}/photos/{photo.pk}/"
    for user in (world.alice, world.bob, world.dora):
        response = client_of(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == png()
    assert client_of(world.charlie).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the log-in page
    assert client_of(world.charlie).get(f"/activities/{ended.pk}/photos/999999/").status_code == 404


def test_behind_nginx_the_checked_photo_is_sent_by_nginx(world, ended, media, settings):
    settings.SHEZHI_MEDIA_ACCEL_PREFIX = "/protected-media/"
    after.summary_save(actor=world.alice, activity_id=ended.pk, text="x")
    photo = after.summary_photo_add(
        actor=world.alice, activity_id=ended.pk, upload=SimpleUploadedFile("a.png", png())
    )
    url = f"/activities/{ended.pk}/photos/{photo.pk}/"
    response = client_of(world.bob).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response.content == b""
    outsider = client_of(world.charlie).get(url)
    assert outsider.status_code == 404 and "X-Accel-Redirect" not in outsider


def test_desk_detail_links_the_edit_cancel_and_summary_tools(world, ended, upcoming):
    alice = client_of(world.alice)
    body = alice.get(f"/desk/activities/{upcoming.pk}/").content.decode()
    assert 'data-testid="edit-link"' in body and 'data-testid="cancel-activity"' in body
    assert (
        'data-testid="summary-link"' in alice.get(f"/desk/activities/{ended.pk}/").content.decode()
    )


def test_organiser_registers_a_beneficiary_by_id_number_on_the_summary_page(world, ended):
    alice = client_of(world.alice)
    ended.beneficiaries.all().delete()
    page = alice.post(
        f"/desk/activities/{ended.pk}/beneficiaries/",
        {"query": world.dora_resident.id_number},
        follow=True,
    )
    assert "已登记服务对象" in page.content.decode()
    assert ended.beneficiaries.filter(resident=world.dora_resident).exists()
    nobody = alice.post(
        f"/desk/activities/{ended.pk}/beneficiaries/",
        {"query": world.resident_b.id_number},
        follow=True,
    )
    assert nobody.status_code == 200 and "未找到该居民" in nobody.content.decode()
    count = alice.post(f"/desk/activities/{ended.pk}/headcount/", {"headcount": "9"}, follow=True)
    assert "已更新服务人次" in count.content.decode()
    ended.refresh_from_db()
    assert ended.beneficiaries_headcount == 9
    assert (
        client_of(world.charlie)
        .post(f"/desk/activities/{ended.pk}/headcount/", {"headcount": "1"})
        .status_code
        == 404
    )


def test_a_resident_finds_the_activities_to_rate_from_the_menu(world, ended):
    home = client_of(world.dora).get("/m/activities/ratings/")
    body = home.content.decode()
    assert 'data-testid="nav-rate"' in body and ended.title in body
