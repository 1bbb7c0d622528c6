"""After the activity: ratings once per person, the summary with photos checked by content, and
the figures the summary page fills in."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shezhi.activities import after, services
from shezhi.activities import attendance as checkins
from shezhi.activities.models import Rating, SummaryPhoto
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import END, START, activity, sign_up
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.signals import free_text_saved

LATER = END + timedelta(hours=2)


def png(size=(8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, "PNG")
    return buf.getvalue()


def held(world, *, confirm=True):
    """An activity held on START–END: Bob attended (2 h), Dora registered as a beneficiary."""
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=3)])
    bob = sign_up(world.bob, act)
    sign_up(world.erin, act)  # signed up but never came
    checkins.checkin_manual(
        actor=world.alice, signup_id=bob.pk, reason="手机没电", at=START, now=START
    )
    checkins.checkout_close_forgotten(actor=world.alice, activity_id=act.pk, now=END)
    services.beneficiary_add(
        actor=world.alice, activity_id=act.pk, resident_id=world.dora_resident.pk
    )
    services.activity_set_headcount(actor=world.alice, activity_id=act.pk, headcount=7)
    if confirm:
        checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=END)
    act.refresh_from_db()
    return act


def rate(user, act, stars=5, comment="", now=LATER):
    return after.rating_create(
        actor=user, activity_id=act.pk, stars=stars, comment=comment, now=now
    )


# --- ratings ----------------------------------------------------------------------------------


def test_attending_volunteer_and_beneficiary_each_rate_once(world):
    act = held(world)
    assert rate(world.bob, act, 5).role == Rating.Role.VOLUNTEER
    assert rate(world.dora, act, 3).role == Rating.Role.BENEFICIARY
    with pytest.raises(Conflict, match="只能评价一次") as exc:
        rate(world.bob, act, 1)
    assert exc.value.code == "duplicate"
    assert Rating.objects.filter(activity=act).count() == 2


def test_the_database_refuses_a_second_rating_even_past_the_check(world):
    from django.db import IntegrityError, transaction

    act = held(world)
    rate(world.bob, act)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(activity=act, rater=world.bob, role="volunteer", stars=2)


def test_signed_up_volunteer_who_did_not_come_may_not_rate(world):
    act = held(world)
    with pytest.raises(Forbidden, match="参加活动的志愿者"):
        rate(world.erin, act)


def test_outsider_rating_gets_not_found(world):
    act = held(world)
    with pytest.raises(NotFound):
        rate(world.charlie, act)


def test_rating_before_the_end_is_refused(world):
    act = held(world, confirm=False)
    with pytest.raises(Conflict, match="活动结束后"):
        rate(world.bob, act, now=END - timedelta(minutes=5))


@pytest.mark.parametrize("stars", [0, 6, "5", True])
def test_stars_must_be_one_to_five(world, stars):
    act = held(world)
    with pytest.raises(InvalidInput, match="评分"):
        rate(world.bob, act, stars)


def test_comment_is_sent_to_crisis_triage(world, django_capture_on_commit_callbacks):
    act = held(world)
    heard = []

    def listen(**kwargs):
        heard.append(kwargs)

    free_text_saved.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rating = rate(world.dora, act, 2, "理发师很好，但我最近不想活了")
    finally:
        free_text_saved.disconnect(listen)
    assert heard and heard[0]["source_type"] == "activities.rating"
    assert heard[0]["source_id"] == str(rating.pk)
    assert heard[0]["resident_id"] == world.dora_resident.pk
    assert "不想活" in heard[0]["text"]


def test_activities_to_rate_lists_ended_unrated_ones(world):
    act = held(world)
    assert after.activities_to_rate(actor=world.dora, now=LATER) == [act]
    rate(world.dora, act)
    assert after.activities_to_rate(actor=world.dora, now=LATER) == []
    assert after.activities_to_rate(actor=world.erin, now=LATER) == []


# --- summary and photos -----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_summary_and_photo_by_the_organiser(world, media):
    act = held(world)
    after.summary_save(actor=world.alice, activity_id=act.pk, text="活动顺利", now=LATER)
    photo = after.summary_photo_add(
        actor=world.alice,
        activity_id=act.pk,
        upload=SimpleUploadedFile("x.txt", png(), content_type="text/plain"),
        now=LATER,
    )
    assert photo.content_type == "image/png" and photo.image.name.endswith(".png")
    assert (media / photo.image.name).exists()


def test_summary_before_the_end_is_refused(world, media):
    act = held(world, confirm=False)
    with pytest.raises(Conflict, match="活动结束后"):
        after.summary_save(actor=world.alice, activity_id=act.pk, text="x", now=START)


def test_outsider_cannot_write_the_summary(world, media):
    act = held(world)
    with pytest.raises(NotFound):
        after.summary_save(actor=world.charlie, activity_id=act.pk, text="x", now=LATER)
    with pytest.raises(Forbidden):
        after.summary_save(actor=world.bob, activity_id=act.pk, text="x", now=LATER)


def test_a_renamed_text_file_is_not_an_image(world, media):
    act = held(world)
    after.summary_save(actor=world.alice, activity_id=act.pk, text="x", now=LATER)
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(InvalidInput, match="不是有效的图片") as exc:
        after.summary_photo_add(actor=world.alice, activity_id=act.pk, upload=fake, now=LATER)
    assert exc.value.code == "not_image"
    assert not SummaryPhoto.objects.exists()


def test_a_truncated_image_is_refused(world, media):
    act = held(world)
    after.summary_save(actor=world.alice, activity_id=act.pk, text="x", now=LATER)
    broken = SimpleUploadedFile("p.png", png((64, 64))[:60])
    with pytest.raises(InvalidInput, match="不是有效的图片"):
        after.summary_photo_add(actor=world.alice, activity_id=act.pk, upload=broken, now=LATER)


def test_a_photo_over_5_mib_is_refused(world, media):
    act = held(world)
    after.summary_save(actor=world.alice, activity_id=act.pk, text="x", now=LATER)
    big = SimpleUploadedFile("big.png", png() + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(InvalidInput, match="5MB") as exc:
        after.summary_photo_add(actor=world.alice, activity_id=act.pk, upload=big, now=LATER)
    assert exc.value.code == "too_large"


def test_at_most_nine_photos(world, media):
    act = held(world)
    after.summary_save(actor=world.alice, activity_id=act.pk, text="x", now=LATER)
    for i in range(9):
        after.summary_photo_add(
            actor=world.alice,
            activity_id=act.pk,
            upload=SimpleUploadedFile(f"{i}.png", png()),
            now=LATER,
        )
    with pytest.raises(Conflict, match="最多上传9张"):
        after.summary_photo_add(
            actor=world.alice,
            activity_id=act.pk,
            upload=SimpleUploadedFile("x.png", png()),
            now=LATER,
        )


def test_photo_needs_a_summary_first(world, media):
    act = held(world)
    with pytest.raises(Conflict, match="先填写活动总结"):
        after.summary_photo_add(
            actor=world.alice,
            activity_id=act.pk,
            upload=SimpleUploadedFile("x.png", png()),
            now=LATER,
        )


def test_photo_is_found_only_by_those_who_may_see_the_activity(world, media):
    act = held(world)
    after.summary_save(actor=world.alice, activity_id=act.pk, text="x", now=LATER)
    photo = after.summary_photo_add(
        actor=world.alice, activity_id=act.pk, upload=SimpleUploadedFile("x.png", png()), now=LATER
    )
    for user in (world.alice, world.bob, world.dora):
        assert after.photo_for_viewer(actor=user, activity_id=act.pk, photo_id=photo.pk) == photo
    with pytest.raises(NotFound):
        after.photo_for_viewer(actor=world.charlie, activity_id=act.pk, photo_id=photo.pk)


def test_deleting_a_photo_removes_the_file(world, media, django_capture_on_commit_callbacks):
    act = held(world)
    after.summary_save(actor=world.alice, activity_id=act.pk, text="x", now=LATER)
    photo = after.summary_photo_add(
        actor=world.alice, activity_id=act.pk, upload=SimpleUploadedFile("x.png", png()), now=LATER
    )
    path = media / photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        after.summary_photo_delete(actor=world.alice, activity_id=act.pk, photo_id=photo.pk)
    assert not path.exists() and not SummaryPhoto.objects.exists()


# --- figures ----------------------------------------------------------------------------------


def test_figures_count_attendance_hours_beneficiaries_and_ratings(world):
    act = held(world)
    rate(world.bob, act, 5)
    rate(world.dora, act, 4)
    f = after.figures(act)
    assert f.volunteers == 1
    assert str(f.hours) == "2.0"
    assert (f.beneficiaries_registered, f.beneficiaries_headcount, f.beneficiaries) == (1, 7, 8)
    assert f.ratings == 2 and f.average == Decimal("4.5")


def test_figures_count_no_hours_before_confirmation(world):
    act = held(world, confirm=False)
    f = after.figures(act)
    assert f.volunteers == 1 and str(f.hours) == "0.0" and f.average is None
