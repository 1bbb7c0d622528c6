"""Who is told what as a need moves through the four orders: each notice reaches exactly the
people who must act or know, once, and carries nobody else's personal data."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.needs import deadlines, matching_adapter, notices, services
from shezhi.needs.models import Need
from shezhi.needs.workflow import Status
from shezhi.notifications.models import Delivery, Notification
from shezhi.notifications.services import deliver_pending, preference_set
from shezhi.org.tests.factories import PartnerFactory
from shezhi.people.tests.factories import ResidentFactory
from shezhi.volunteers.models import Volunteer

K = Notification.Kind


@pytest.fixture(autouse=True)
def _start_window_wide_enough(settings):
    """Orders here are booked for tomorrow and started today: the start window has its own tests
    (test_trusted_hours.py); here it must not get in the way of the notices."""
    settings.SHEZHI_SERVICE_START_WINDOW_MINUTES = 3 * 24 * 60


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


def latest(user, **filters) -> Notification:
    return Notification.objects.filter(recipient=user, **filters).order_by("id").last()


def order(world, **kwargs) -> Need:
    start = timezone.localtime() + timedelta(days=1)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    return services.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="朵拉家热水器坏了，电话13812345678",
        wanted_from=start,
        wanted_until=start + timedelta(hours=2),
        **kwargs,
    )


def dispatch(world, need, kind="volunteer", target_id=None):
    return services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind=kind,
        target_id=target_id if target_id is not None else world.bob_volunteer.pk,
    )


def everyone_else(world, *told):
    cast = [world.alice, world.charlie, world.gina, world.sam, world.admin, world.bob]
    cast += [world.erin, world.dora, world.partner_user]
    return [u for u in cast if u not in told]


def test_a_full_cycle_tells_the_helper_and_the_resident_and_nobody_else(world):
    need = order(world)
    assert Notification.objects.count() == 0  # 点单 itself tells nobody
    dispatch(world, need)
    [offer] = Notification.objects.filter(recipient=world.bob)
    assert offer.kind == K.ORDER_DISPATCHED and offer.title == "新派单：家电维修"
    assert "A小区" in offer.body and "09:00–11:00" in offer.body
    assert offer.link == f"/m/orders/{need.pk}/"

    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_start(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=60, note="换了阀门")
    assert kinds(world.dora) == [K.NEED_PROGRESS, K.NEED_PROGRESS, K.NEED_RATE]
    accepted, started, done = Notification.objects.filter(recipient=world.dora).order_by("id")
    assert accepted.title == "您的需求已有人接单"
    assert str(world.bob) in accepted.body and "社区社工" in accepted.body
    assert "09:00–11:00" in accepted.body
    assert started.title == "服务已开始"
    assert done.title == "服务已完成，请您评价" and done.link == f"/m/needs/{need.pk}/"

    services.need_rate(actor=world.dora, need_id=need.pk, score=5)
    assert kinds(world.bob) == [K.ORDER_DISPATCHED]
    for user in everyone_else(world, world.bob, world.dora):
        assert kinds(user) == [], user


def test_no_notice_carries_anybody_elses_personal_data(world):
    resident = world.dora_resident
    need = order(world)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="换了阀门")
    services.need_rate(actor=world.dora, need_id=need.pk, score=1, comment="朵拉很不满意")
    need.refresh_from_db()
    secrets_of_resident = [
        resident.name,
        resident.phone,
        resident.id_number,
        resident.address,
        need.title,
        need.description,
        "13812345678",
        "朵拉很不满意",
    ]
    volunteer = world.bob_volunteer
    secrets_of_volunteer = [volunteer.id_number, volunteer.phone, volunteer.name]
    told = Notification.objects.all()
    assert {n.recipient for n in told} == {world.bob, world.dora, world.alice}
    for n in told:
        text = n.title + n.body
        secrets = secrets_of_volunteer if n.recipient == world.dora else secrets_of_resident
        for secret in secrets:
            assert secret not in text, (n.recipient, secret, text)


def test_a_team_order_reaches_every_member_and_no_one_else(world):
    need = order(world)
    dispatch(world, need, kind="team", target_id=world.team.pk)
    [notice] = Notification.objects.all()
    assert notice.recipient == world.erin  # the leader, the team's only member
    assert notice.title == "服务队新派单：家电维修" and "维修服务队" in notice.body


def test_a_partner_order_reaches_its_accounts_or_its_contact_by_sms(world, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    need = order(world)
    dispatch(world, need, kind="partner", target_id=world.partner.pk)
    assert kinds(world.partner_user) == [K.ORDER_DISPATCHED]

    bare = PartnerFactory(unit=world.a["street"], contact_phone="13900001111")
    other = order(world)
    dispatch(world, other, kind="partner", target_id=bare.pk)
    sms = Notification.objects.get(recipient__isnull=True)
    assert sms.mobile == "13900001111" and sms.kind == K.ORDER_DISPATCHED
    assert [d.channel for d in sms.deliveries.all()] == ["sms"]


def test_redispatch_tells_the_old_helper_to_stay_home_and_the_new_one_to_go(world):
    need = order(world)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    dispatch(world, need, target_id=world.erin_volunteer.pk)
    assert kinds(world.bob) == [K.ORDER_DISPATCHED, K.ORDER_WITHDRAWN]
    assert kinds(world.erin) == [K.ORDER_DISPATCHED]


def test_a_decline_offers_the_next_helper_and_tells_the_resident(world, monkeypatch):
    need = order(world)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    erin = world.erin_volunteer
    monkeypatch.setattr(
        matching_adapter,
        "next_best",
        lambda n: SimpleNamespace(kind="volunteer", id=erin.pk, name=erin.name),
    )
    services.need_return(actor=world.bob, need_id=need.pk, reason="临时有事")
    assert kinds(world.erin) == [K.ORDER_DISPATCHED]
    assert latest(world.dora).title == "正在为您重新安排"
    assert kinds(world.alice) == []
    assert kinds(world.bob) == [K.ORDER_DISPATCHED]  # the one who declined is not told


def test_a_decline_with_nobody_left_tells_the_social_worker(world, monkeypatch):
    need = order(world)
    dispatch(world, need)
    monkeypatch.setattr(matching_adapter, "next_best", lambda n: None)
    need = services.need_return(actor=world.bob, need_id=need.pk, reason="不会修")
    assert need.status == Status.PENDING
    [notice] = Notification.objects.filter(recipient=world.alice)
    assert notice.kind == K.NEED_ATTENTION and notice.title == "退单后无人可派：家电维修"
    assert notice.link == f"/desk/needs/{need.pk}/"
    assert kinds(world.dora) == []  # nobody had accepted: nothing to take back
    assert kinds(world.charlie) == [] and kinds(world.sam) == []


def test_a_low_rating_tells_the_dispatcher_only(world):
    need = order(world)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="好了")
    services.need_rate(actor=world.dora, need_id=need.pk, score=2)
    [notice] = Notification.objects.filter(recipient=world.alice)
    assert notice.title == "低分评价待复核：家电维修" and "2分" in notice.body
    assert kinds(world.charlie) == [] and kinds(world.sam) == []


def test_cancellation_and_unresolvable(world):
    need = order(world)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_cancel(actor=world.alice, need_id=need.pk, reason="居民已自行解决")
    assert latest(world.bob).title == "订单已取消：家电维修"
    assert latest(world.dora).title == "需求已取消"

    own = order(world)
    dispatch(world, own)
    before = kinds(world.dora)
    services.need_cancel(actor=world.dora, need_id=own.pk, reason="不需要了")
    assert kinds(world.dora) == before  # she cancelled it herself
    assert latest(world.bob).kind == K.ORDER_WITHDRAWN

    hard = order(world)
    services.need_mark_unresolvable(actor=world.alice, need_id=hard.pk, reason="超出服务范围")
    last = latest(world.dora)
    assert last.title == "需求暂时无法办理" and "超出服务范围" not in last.body


def test_the_deadline_job_tells_the_social_worker_once_near_and_once_past(world):
    need = order(world)
    need = Need.objects.get(pk=need.pk)
    allowed = timedelta(hours=need.urgency.response_hours)
    near = need.respond_by - allowed * 0.2
    assert notices.deadlines_check(now=need.respond_by - allowed * 0.5) == 0
    assert notices.deadlines_check(now=near) == 1
    assert notices.deadlines_check(now=near + timedelta(minutes=5)) == 0  # idempotent
    [warning] = Notification.objects.filter(recipient=world.alice)
    assert warning.kind == K.NEED_DEADLINE and warning.title == "需求即将超时：家电维修"
    assert "响应" in warning.body
    past = need.respond_by + timedelta(minutes=1)
    assert notices.deadlines_check(now=past) == 1
    assert notices.deadlines_check(now=past) == 0
    assert latest(world.alice).title == "需求已超时：家电维修"
    assert notices.deadlines_check(now=need.respond_by + timedelta(days=2)) == 0  # long gone
    assert Notification.objects.exclude(recipient=world.alice).count() == 0


def test_the_deadline_job_watches_resolution_once_dispatched(world):
    need = order(world)
    need = dispatch(world, need)
    assert notices.deadlines_check(now=need.respond_by + timedelta(hours=1)) == 0  # answered
    assert notices.deadlines_check(now=need.resolve_by + timedelta(minutes=1)) == 1
    last = latest(world.alice)
    assert last.title == "需求已超时：家电维修" and "办结" in last.body


def test_needs_jobs_is_scheduled_and_runs_twice_telling_once(world, settings):
    from io import StringIO

    from django.core.management import call_command

    assert "needs.deadlines" in settings.SHEZHI_SCHEDULE  # the task the command runs
    need = order(world)
    Need.objects.filter(pk=need.pk).update(respond_by=timezone.now() - timedelta(minutes=5))
    out = StringIO()
    call_command("needs_jobs", stdout=out)
    call_command("needs_jobs", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("deadline notices 1") and lines[1].startswith("deadline notices 0")
    assert kinds(world.alice) == [K.NEED_DEADLINE]


@pytest.mark.parametrize(
    ("left", "expected"),
    [(0.5, deadlines.Stage.NONE), (0.25, deadlines.Stage.NEAR), (0.0, deadlines.Stage.PASSED)],
)
def test_deadline_stage(left, expected):
    now = timezone.now()
    allowed = timedelta(hours=8)
    assert deadlines.stage(now=now, due=now + allowed * left, allowed=allowed) is expected


# --- SMS and preferences ---------------------------------------------------------------------


def phone_order(world, resident) -> Need:
    return services.need_create(
        actor=world.gina,
        category="repair",
        urgency="general",
        description="王奶奶家灯不亮",
        resident_id=resident.pk,
    )


def test_a_resident_without_an_account_is_told_by_sms(world, settings, capsys):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    resident = ResidentFactory(grid=world.a["grid"], sms_notices=True, phone="13611112222")
    need = phone_order(world, resident)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    sms = Notification.objects.get(recipient__isnull=True)
    assert sms.mobile == "13611112222" and sms.audience == Notification.Audience.RESIDENT
    assert sms.subject == f"need:{need.pk}" and sms.link == ""
    deliver_pending()
    assert sms.deliveries.get().status == Delivery.Status.SENT
    assert "[SMS] 136****2222: 【社志通】您的需求已有人接单" in capsys.readouterr().out


def test_without_the_flag_or_without_sms_nobody_is_pretended_to_be_told(world, settings):
    plain = ResidentFactory(grid=world.a["grid"])
    need = phone_order(world, plain)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    assert not Notification.objects.filter(recipient__isnull=True).exists()

    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox"]  # the deployment has no SMS
    flagged = ResidentFactory(grid=world.a["grid"], sms_notices=True)
    other = phone_order(world, flagged)
    dispatch(world, other)
    services.need_accept(actor=world.bob, need_id=other.pk)
    delivery = Delivery.objects.get(notification__recipient__isnull=True)
    assert delivery.status == Delivery.Status.FAILED and "未开通短信" in delivery.last_error


def test_the_grid_worker_sees_what_the_resident_was_told(world, client, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    resident = ResidentFactory(grid=world.a["grid"], sms_notices=True, phone="13611112222")
    need = phone_order(world, resident)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    client.force_login(world.gina)
    page = client.get(f"/desk/needs/{need.pk}/").content.decode()
    assert "您的需求已有人接单" in page and "136****2222" in page and "13611112222" not in page
    told = client.get(f"/api/v1/needs/{need.pk}/notices").json()
    sms = next(n for n in told if n["audience"] == "resident")
    assert sms["recipient"] == "136****2222" and sms["deliveries"][0]["channel"] == "sms"
    assert {n["audience"] for n in told} == {"resident", "helper"}
    client.force_login(world.bob)  # the helper sees the order, not what others were told
    assert client.get(f"/api/v1/needs/{need.pk}/notices").status_code == 403
    client.force_login(world.charlie)
    assert client.get(f"/desk/needs/{need.pk}/").status_code == 404
    assert client.get(f"/api/v1/needs/{need.pk}/notices").status_code == 404


def test_a_helper_who_turned_sms_off_gets_the_inbox_only(world, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    need = order(world)
    dispatch(world, need)
    offer = Notification.objects.get(recipient=world.bob)
    assert sorted(d.channel for d in offer.deliveries.all()) == ["inbox", "sms"]
    preference_set(actor=world.bob, sms=False)
    dispatch(world, need, target_id=world.bob_volunteer.pk)  # offered again
    again = latest(world.bob, kind=K.ORDER_DISPATCHED)
    assert again.pk != offer.pk
    assert [d.channel for d in again.deliveries.all()] == ["inbox"]


def test_a_resident_registered_for_sms_gets_it_even_with_an_account(world, settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    world.dora_resident.sms_notices = True
    world.dora_resident.save()
    preference_set(actor=world.dora, sms=False)
    need = order(world)
    dispatch(world, need)
    services.need_accept(actor=world.bob, need_id=need.pk)
    notice = Notification.objects.get(recipient=world.dora)
    assert sorted(d.channel for d in notice.deliveries.all()) == ["inbox", "sms"]
    assert notice.mobile == world.dora_resident.phone


def test_the_pool_is_not_told_one_by_one(world):
    need = order(world)
    dispatch(world, need, kind="pool", target_id=None)
    assert Notification.objects.count() == 0
    assert Volunteer.objects.filter(community=world.a["community"]).count() >= 2


def test_an_inactive_social_worker_is_not_told(world, monkeypatch):
    gone = UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"], is_active=False)
    need = order(world)
    monkeypatch.setattr(matching_adapter, "next_best", lambda n: None)
    dispatch(world, need)
    services.need_return(actor=world.bob, need_id=need.pk, reason="不会修")
    assert kinds(gone) == [] and kinds(world.alice) == [K.NEED_ATTENTION]


def test_the_notices_of_a_need_are_read_in_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shezhi.needs.selectors import need_notices

    need = order(world)
    dispatch(world, need)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = need_notices(actor=world.gina, need=need)
            for n in rows:
                list(n.deliveries.all()), str(n.recipient)
        return len(rows), len(queries)

    few, few_queries = count()
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_start(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="好了")
    many, many_queries = count()
    assert (few, many) == (1, 4) and few_queries == many_queries
