"""Sign-up confirmations: each volunteer is told what became of their own sign-up, once, and
nobody else is told."""

from shezhi.activities import signups
from shezhi.activities.models import SignUp
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import NOW, activity, sign_up
from shezhi.notifications.models import Notification

K = Notification.Kind


def told(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True)
    )


def test_sign_up_and_waiting_list_are_confirmed_to_the_volunteer_only(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec("理发师", 1)])
    sign_up(world.bob, act)
    sign_up(world.erin, act)
    assert told(world.bob) == ["报名成功：为老义剪"]
    assert told(world.erin) == ["已进入候补：为老义剪"]
    assert told(world.alice) == [] and told(world.charlie) == []
    bob_notice = Notification.objects.get(recipient=world.bob)
    assert bob_notice.kind == K.SIGNUP and "A社区党群服务中心" in bob_notice.body


def test_the_organisers_decision_is_told_to_the_volunteer(world):
    act = activity(world.alice, world.a["community"], requires_approval=True)
    bob = sign_up(world.bob, act)
    erin = sign_up(world.erin, act)
    assert told(world.bob) == ["报名待确认：为老义剪"]
    signups.signup_decide(actor=world.alice, signup_id=bob.pk, approve=True, now=NOW)
    signups.signup_decide(
        actor=world.alice, signup_id=erin.pk, approve=False, reason="名额已定", now=NOW
    )
    assert told(world.bob) == ["报名待确认：为老义剪", "报名已通过：为老义剪"]
    assert told(world.erin)[-1] == "报名未通过：为老义剪"
    assert "名额已定" in Notification.objects.filter(recipient=world.erin).first().body
    assert told(world.alice) == []


def test_a_withdrawal_by_the_organiser_is_told_but_ones_own_is_not(world):
    act = activity(world.alice, world.a["community"])
    bob = sign_up(world.bob, act)
    erin = sign_up(world.erin, act)
    signups.signup_cancel(actor=world.bob, signup_id=bob.pk, now=NOW)
    assert told(world.bob) == ["报名成功：为老义剪"]
    signups.signup_cancel(actor=world.alice, signup_id=erin.pk, reason="岗位调整", now=NOW)
    assert told(world.erin)[-1] == "报名已取消：为老义剪"
    assert SignUp.objects.get(pk=erin.pk).status == SignUp.Status.CANCELLED
