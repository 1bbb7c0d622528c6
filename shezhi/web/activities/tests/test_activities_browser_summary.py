"""In Chromium: the organiser writes the summary and uploads a photo that the page then shows
(served by the scoped photo view), and a volunteer rates the activity on the phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from shezhi.activities import attendance as checkins
from shezhi.activities import signups
from shezhi.activities.models import Rating
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import NOW, activity
from shezhi.web.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_summary_with_a_photo_and_a_rating_from_the_phone(world, open_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    act = activity(
        world.alice,
        world.a["community"],
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        positions=[PositionSpec(name="理发师", quota=2)],
    )
    s = signups.signup_create(actor=world.bob, position_id=act.positions.get().pk, now=NOW)
    checkins.checkin_manual(actor=world.alice, signup_id=s.pk, reason="补登", at=act.starts_at)
    checkins.checkout_close_forgotten(actor=world.alice, activity_id=act.pk)
    checkins.attendance_confirm(actor=world.alice, activity_id=act.pk)
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (320, 200), "orange").save(photo, "JPEG")

    phone = open_page(phone=True)
    log_in(phone, world.bob.username)
    phone.goto("/m/activities/ratings/")
    phone.click("[data-testid=to-rate] a")
    phone.check("input[name=stars][value='4']")
    phone.fill("textarea[name=comment]", "组织得很好")
    phone.click("[data-testid=rate]")
    assert "感谢您的评价" in phone.content()
    assert Rating.objects.get(activity=act).stars == 4

    desk = open_page()
    log_in(desk, world.alice.username)
    desk.goto(f"/desk/activities/{act.pk}/")
    desk.click("[data-testid=summary-link]")
    desk.fill("textarea[name=text]", "活动顺利完成")
    desk.click("[data-testid=save-summary]")
    desk.set_input_files("input[name=photo]", str(photo))
    desk.click("[data-testid=upload]")
    assert "照片已上传" in desk.content()
    img = desk.locator("[data-testid=photos] img")
    img.wait_for()
    assert desk.evaluate("document.querySelector('[data-testid=photos] img').naturalWidth") == 320
    assert desk.inner_text("[data-testid=fig-ratings]").startswith("1 条，平均 4.0 星")
    desk.screenshot(path=str(tmp_path / "summary.png"), full_page=True)
