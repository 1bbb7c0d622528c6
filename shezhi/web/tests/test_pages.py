"""The web UI through the test client: each role's pages, scoping, errors, escaping, locale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shezhi.core.models import AuditEvent
from shezhi.needs import services
from shezhi.needs.models import Need, NeedTransition
from shezhi.needs.tests.factories import NeedFactory
from shezhi.needs.workflow import Status
from shezhi.volunteers.models import ServiceRecord


def login(client, user):
    client.force_login(user)
    return client


def order_help(world, **kwargs) -> Need:
    fields = {
        "category": "repair",
        "urgency": "immediate",
        "description": "热水器坏了，没有热水洗澡",
        "contact_phone": "13812345678",
    }
    fields.update(kwargs)
    return services.need_create(actor=world.dora, **fields)


def dispatched_to_bob(world) -> Need:
    need = order_help(world)
    return services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )


def text(response) -> str:
    return response.content.decode()


# --- access per role -----------------------------------------------------------------------


def test_home_sends_each_role_to_its_pages(client, world):
    assert client.get("/").url.startswith(reverse("login"))
    for user, target in [
        (world.dora, "/m/"),
        (world.bob, "/m/orders/"),
        (world.partner_user, "/m/orders/"),
        (world.alice, "/desk/"),
        (world.gina, "/m/care/"),  # a grid worker's day: the visits due
        (world.charlie, "/desk/"),
        (world.sam, "/desk/cases/"),  # a supervisor's day: caseloads and overdue reviews
    ]:
        response = login(client, user).get("/")
        assert response.status_code == 302 and response.url == target, user.username


@pytest.mark.parametrize(
    ("who", "paths"),
    [
        ("dora", ["/m/", "/m/my/"]),
        ("bob", ["/m/orders/", "/m/hours/"]),
        ("alice", ["/desk/", "/desk/needs/", "/desk/needs/new/", "/desk/residents/"]),
        ("sam", ["/desk/", "/desk/needs/", "/desk/residents/"]),
        ("charlie", ["/desk/", "/desk/needs/", "/desk/residents/"]),
    ],
)
def test_each_role_opens_its_own_pages(client, world, who, paths):
    login(client, getattr(world, who))
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "社志通" in text(response)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("dora", "/desk/"),
        ("dora", "/desk/needs/"),
        ("dora", "/m/orders/"),
        ("bob", "/desk/needs/"),
        ("bob", "/desk/residents/"),
        ("bob", "/m/"),
        ("alice", "/m/"),
        ("charlie", "/m/my/"),
    ],
)
def test_other_roles_pages_are_refused(client, world, who, path):
    assert login(client, getattr(world, who)).get(path).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get("/desk/needs/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_login_page_is_chinese_and_logs_in(client, world):
    page = client.get("/login/")
    assert "登录社志通" in text(page)
    bad = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert "用户名或密码不正确" in text(bad)
    good = client.post("/login/", {"username": "alice", "password": "pass-1234"})
    assert good.status_code == 302 and good.url == "/"
    assert client.post("/logout/").status_code == 302


def test_nav_and_header_show_name_and_role(client, world):
    page = text(login(client, world.alice).get("/desk/"))
    assert str(world.alice) in page and "社区社工" in page and "民情台账" in page
    page = text(login(client, world.dora).get("/m/"))
    assert "我的订单" in page and "民情台账" not in page


# --- resident ------------------------------------------------------------------------------


def test_resident_orders_help_and_follows_it(client, world):
    login(client, world.dora)
    response = client.post(
        "/m/", {"category": "meals", "urgency": "general", "description": "想订老年助餐"}
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == f"/m/needs/{need.pk}/"
    assert need.source == Need.Source.ONLINE and need.resident == world.dora_resident
    listing = text(client.get("/m/my/"))
    assert need.title in listing and "待受理" in listing
    detail = text(client.get(response.url))
    assert "办理记录" in detail and "取消需求" in detail


def test_bad_phone_shows_chinese_error_naming_the_field_and_creates_nothing(client, world):
    login(client, world.dora)
    response = client.post(
        "/m/",
        {
            "category": "repair",
            "urgency": "general",
            "description": "灯坏了",
            "contact_phone": "12345",
        },
    )
    assert response.status_code == 400
    assert "联系电话：" in text(response)
    assert not Need.objects.exists()


def test_description_may_be_left_out_the_category_says_what(client, world):
    # Ordering must not need typing: the tile says what, the social worker calls for the rest.
    response = login(client, world.dora).post("/m/", {"category": "repair", "urgency": "general"})
    assert response.status_code == 302
    assert Need.objects.get().description == "需要家电维修服务，请电话联系我了解详情"


def test_unknown_category_is_named_not_500(client, world):
    response = login(client, world.dora).post(
        "/m/", {"category": "nope", "urgency": "general", "description": "x"}
    )
    assert response.status_code == 400 and "需求类别：" in text(response)


def test_resident_cancels_pending_need_with_reason(client, world):
    need = order_help(world)
    login(client, world.dora)
    missing = client.post(f"/m/needs/{need.pk}/cancel/", {"reason": ""})
    assert missing.status_code == 400 and "原因：" in text(missing)
    ok = client.post(f"/m/needs/{need.pk}/cancel/", {"reason": "已自行解决"})
    assert ok.status_code == 302
    need.refresh_from_db()
    assert need.status == Status.CANCELLED


def test_resident_cannot_cancel_after_acceptance_and_sees_why(client, world):
    need = dispatched_to_bob(world)
    services.need_accept(actor=world.bob, need_id=need.pk)
    login(client, world.dora)
    response = client.post(f"/m/needs/{need.pk}/cancel/", {"reason": "不需要了"}, follow=True)
    assert "请联系社区社工取消" in text(response)
    need.refresh_from_db()
    assert need.status == Status.ACCEPTED


def test_resident_rates_done_need_and_low_rating_goes_to_review(client, world):
    need = dispatched_to_bob(world)
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=60, note="修好了")
    login(client, world.dora)
    assert "您对这次服务满意吗？" in text(client.get(f"/m/needs/{need.pk}/"))
    bad = client.post(f"/m/needs/{need.pk}/rate/", {"score": "9"})
    assert bad.status_code == 400 and "评分：" in text(bad)
    client.post(f"/m/needs/{need.pk}/rate/", {"score": "2", "comment": "来得太晚"})
    need.refresh_from_db()
    assert need.status == Status.RATED and need.needs_review

    login(client, world.alice)
    assert "复核低分评价" in text(client.get(f"/desk/needs/{need.pk}/"))
    no_note = client.post(f"/desk/needs/{need.pk}/review/", {"decision": "close", "note": ""})
    assert no_note.status_code == 400 and "复核意见：" in text(no_note)
    client.post(f"/desk/needs/{need.pk}/review/", {"decision": "close", "note": "已回访致歉"})
    need.refresh_from_db()
    assert not need.needs_review


def test_resident_sees_only_own_needs(client, world):
    other = NeedFactory(community=world.a["community"], created_by=world.alice)
    response = login(client, world.dora).get(f"/m/needs/{other.pk}/")
    assert response.status_code == 404


# --- volunteer -----------------------------------------------------------------------------


def test_volunteer_accepts_starts_completes_and_sees_hours(client, world):
    world.dora.display_name = "朵拉·王"
    world.dora.save(update_fields=["display_name"])
    need = dispatched_to_bob(world)
    login(client, world.bob)
    orders = text(client.get("/m/orders/"))
    assert need.title in orders
    detail = text(client.get(f"/m/orders/{need.pk}/"))
    assert "138****5678" in detail and "13812345678" not in detail
    assert world.dora_resident.masked_name in detail and world.dora_resident.name not in detail
    assert "朵拉·王" not in detail  # the history names no resident account either

    client.post(f"/m/orders/{need.pk}/accept/")
    detail = text(client.get(f"/m/orders/{need.pk}/"))
    assert "13812345678" in detail  # the taker sees the full phone …
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.READ_UNMASKED, object_id=str(need.pk), actor=world.bob
    ).exists()  # … and that read is audited

    client.post(f"/m/orders/{need.pk}/start/")
    bad = client.post(f"/m/orders/{need.pk}/complete/", {"minutes": "0", "note": "好"})
    assert bad.status_code == 400 and "服务时长（分钟）：" in text(bad)
    client.post(f"/m/orders/{need.pk}/complete/", {"minutes": "90", "note": "更换温控器"})
    need.refresh_from_db()
    assert need.status == Status.DONE and need.minutes_spent == 90
    hours = text(client.get("/m/hours/"))
    # The record names the service, not the note (it leaves the platform on proofs).
    assert "1.5" in hours and "家电维修服务" in hours and "更换温控器" not in hours


def test_other_volunteer_cannot_accept_and_gets_a_chinese_message(client, world):
    need = dispatched_to_bob(world)
    login(client, world.erin)
    assert client.get(f"/m/orders/{need.pk}/").status_code == 404  # not offered to Erin
    response = client.post(f"/m/orders/{need.pk}/accept/")
    assert response.status_code == 404
    need.refresh_from_db()
    assert need.status == Status.DISPATCHED


def test_team_member_sees_team_order_but_not_phone_until_taken(client, world):
    need = order_help(world)
    services.need_dispatch(
        actor=world.alice, need_id=need.pk, target_kind="team", target_id=world.team.pk
    )
    login(client, world.erin)
    assert need.title in text(client.get("/m/orders/"))
    assert "13812345678" not in text(client.get(f"/m/orders/{need.pk}/"))


def test_volunteer_declines_with_reason(client, world):
    need = dispatched_to_bob(world)
    login(client, world.bob)
    missing = client.post(f"/m/orders/{need.pk}/decline/", {"reason": " "})
    assert missing.status_code == 400 and "原因：" in text(missing)
    client.post(f"/m/orders/{need.pk}/decline/", {"reason": "这周出差"})
    need.refresh_from_db()
    assert need.transitions.filter(action="return", note="这周出差").exists()
    # the matching engine re-dispatches it to the next best helper, never back to Bob
    assert need.assignee_volunteer_id != world.bob_volunteer.pk


# --- desk ----------------------------------------------------------------------------------


def test_desk_home_counts(client, world):
    order_help(world)
    dispatched_to_bob(world)
    page = login(client, world.alice).get("/desk/")
    assert page.context["counts"]["pending"] == 1
    assert page.context["counts"]["dispatched"] == 1
    assert page.context["counts"]["open"] == 2
    assert "待复核" in text(page)


def test_desk_dispatch_lists_candidates_with_explanation_and_dispatches(client, world):
    need = order_help(world)
    login(client, world.alice)
    page = text(client.get(f"/desk/needs/{need.pk}/"))
    assert world.bob_volunteer.name in page and "技能匹配" in page
    response = client.post(
        f"/desk/needs/{need.pk}/dispatch/",
        {"candidate": f"volunteer:{world.bob_volunteer.pk}", "expected_version": need.version},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == Status.DISPATCHED and need.assignee_volunteer == world.bob_volunteer


def test_desk_dispatch_to_community_pool(client, world):
    need = order_help(world)
    login(client, world.alice).post(
        f"/desk/needs/{need.pk}/dispatch/",
        {"candidate": "pool:0", "expected_version": need.version},
    )
    need.refresh_from_db()
    assert need.assignee_kind == Need.AssigneeKind.POOL
    assert need.title in text(login(client, world.erin).get("/m/orders/"))


def test_stale_dispatch_shows_chinese_conflict(client, world):
    need = order_help(world)
    response = login(client, world.alice).post(
        f"/desk/needs/{need.pk}/dispatch/",
        {"candidate": f"volunteer:{world.bob_volunteer.pk}", "expected_version": need.version + 5},
        follow=True,
    )
    assert response.status_code == 200 and "请刷新后再试" in text(response)
    need.refresh_from_db()
    assert need.status == Status.PENDING


def test_dispatch_without_choice_names_the_field(client, world):
    need = order_help(world)
    response = login(client, world.alice).post(
        f"/desk/needs/{need.pk}/dispatch/", {"expected_version": need.version}
    )
    assert response.status_code == 400 and "派单对象：" in text(response)


def test_grid_worker_sees_ledger_but_may_not_dispatch(client, world):
    need = order_help(world)
    login(client, world.gina)
    page = text(client.get(f"/desk/needs/{need.pk}/"))
    assert "确认派单" not in page
    response = client.post(
        f"/desk/needs/{need.pk}/dispatch/",
        {"candidate": f"volunteer:{world.bob_volunteer.pk}", "expected_version": need.version},
        follow=True,
    )
    assert "只有社工或督导可以派单" in text(response)
    need.refresh_from_db()
    assert need.status == Status.PENDING


def test_desk_cancel_and_unresolvable_need_reasons(client, world):
    need = order_help(world)
    login(client, world.alice)
    missing = client.post(f"/desk/needs/{need.pk}/unresolvable/", {"unres-reason": ""})
    assert missing.status_code == 400 and "原因：" in text(missing)
    client.post(f"/desk/needs/{need.pk}/unresolvable/", {"unres-reason": "超出服务范围"})
    need.refresh_from_db()
    assert need.status == Status.UNRESOLVABLE
    other = order_help(world)
    client.post(f"/desk/needs/{other.pk}/cancel/", {"cancel-reason": "重复登记"})
    other.refresh_from_db()
    assert other.status == Status.CANCELLED


def test_desk_edit_with_expected_version(client, world):
    need = order_help(world)
    login(client, world.alice)
    data = {
        "title": "热水器维修",
        "category": "repair",
        "urgency": "caring",
        "description": need.description,
        "address": need.address,
        "contact_phone": need.contact_phone,
        "expected_version": need.version,
    }
    assert client.post(f"/desk/needs/{need.pk}/edit/", data).status_code == 302
    need.refresh_from_db()
    assert need.title == "热水器维修" and need.urgency.code == "caring"
    stale = client.post(f"/desk/needs/{need.pk}/edit/", data, follow=True)  # old version again
    assert "已被他人修改" in text(stale)
    bad = client.post(
        f"/desk/needs/{need.pk}/edit/",
        data | {"contact_phone": "999", "expected_version": need.version},
    )
    assert bad.status_code == 400 and "联系电话：" in text(bad)


def test_desk_intake_for_a_resident(client, world):
    login(client, world.alice)
    form = client.get(f"/desk/needs/new/?resident={world.dora_resident.pk}")
    assert f'value="{world.dora_resident.pk}"' in text(form)
    response = client.post(
        "/desk/needs/new/",
        {
            "source": "phone",
            "resident": world.dora_resident.pk,
            "category": "health",
            "urgency": "immediate",
            "description": "电话反映血压偏高，需要上门测量",
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == f"/desk/needs/{need.pk}/"
    assert need.source == Need.Source.PHONE and need.resident == world.dora_resident


def test_desk_intake_for_outsiders_resident_is_refused(client, world):
    response = login(client, world.charlie).post(
        "/desk/needs/new/",
        {
            "source": "phone",
            "resident": world.dora_resident.pk,
            "category": "health",
            "urgency": "general",
            "description": "x",
        },
    )
    assert response.status_code == 400 and "居民：" in text(response)
    assert not Need.objects.exists()


def test_ledger_filters_and_flags_overdue(client, world):
    from django.utils import timezone

    late = NeedFactory(
        community=world.a["community"],
        created_by=world.alice,
        title="逾期的需求",
        respond_by=timezone.now() - timezone.timedelta(hours=1),
    )
    NeedFactory(community=world.a["community"], created_by=world.alice, title="按时的需求")
    login(client, world.alice)
    page = text(client.get("/desk/needs/"))
    assert "逾期的需求" in page and "按时的需求" in page and "超期" in page
    page = text(client.get("/desk/needs/?overdue=on"))
    assert "逾期的需求" in page and "按时的需求" not in page
    page = text(client.get("/desk/needs/?q=按时"))
    assert "按时的需求" in page and "逾期的需求" not in page
    page = text(client.get("/desk/needs/?status=dispatched"))
    assert "按时的需求" not in page
    assert late.pk


def test_ledger_pages_by_50_and_counts_its_total_once(client, world):
    NeedFactory.create_batch(51, community=world.a["community"], created_by=world.alice)
    login(client, world.alice)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/desk/needs/")
    assert len(first.context["page"].items) == 50 and first.context["page"].has_next
    assert first.content.decode().count('<tr class="') == 50
    assert sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries) == 1
    assert first.context["page"].total == 51
    second = client.get("/desk/needs/?page=2")
    assert len(second.context["page"].items) == 1 and not second.context["page"].has_next
    assert client.get("/desk/needs/?page=abc").status_code == 200


def test_residents_list_is_masked_and_reveal_is_audited(client, world):
    login(client, world.alice)
    resident = world.dora_resident
    listing = text(client.get("/desk/residents/?q=朵"))
    assert resident.masked_id_number in listing and resident.id_number not in listing
    detail = text(client.get(f"/desk/residents/{resident.pk}/"))
    assert "显示完整信息" in detail and resident.id_number not in detail
    revealed = text(client.post(f"/desk/residents/{resident.pk}/reveal/"))
    assert resident.id_number in revealed
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.READ_UNMASKED, object_id=str(resident.pk), actor=world.alice
    ).exists()


def test_reveal_is_refused_to_roles_that_may_not_unmask(client, world):
    from shezhi.accounts.models import Role
    from shezhi.accounts.tests.factories import UserFactory

    admin = UserFactory(role=Role.STREET_ADMIN, unit=world.a["street"])
    login(client, admin)
    resident = world.dora_resident
    assert "显示完整信息" not in text(client.get(f"/desk/residents/{resident.pk}/"))
    response = client.post(f"/desk/residents/{resident.pk}/reveal/", follow=True)
    assert "无权查看完整身份证号" in text(response)
    assert resident.id_number not in text(response)


# --- the outsider --------------------------------------------------------------------------


def test_outsider_gets_404_on_a_need_and_resident_pages(client, world):
    need = order_help(world)
    login(client, world.charlie)
    assert client.get(f"/desk/needs/{need.pk}/").status_code == 404
    assert client.get(f"/desk/residents/{world.dora_resident.pk}/").status_code == 404
    assert client.post(f"/desk/residents/{world.dora_resident.pk}/reveal/").status_code == 404
    assert need.title not in text(client.get("/desk/needs/"))
    assert world.dora_resident.masked_id_number not in text(client.get("/desk/residents/"))
    assert not AuditEvent.objects.filter(actor=world.charlie).exists()


def test_outsider_dispatch_is_404_and_changes_nothing(client, world):
    need = order_help(world)
    login(client, world.charlie)
    for action, data in [
        ("dispatch", {"candidate": f"volunteer:{world.bob_volunteer.pk}", "expected_version": 1}),
        ("cancel", {"cancel-reason": "x"}),
        ("unresolvable", {"unres-reason": "x"}),
        ("review", {"decision": "reopen", "note": "x"}),
        ("edit", {"title": "hacked", "expected_version": 1}),
    ]:
        assert client.post(f"/desk/needs/{need.pk}/{action}/", data).status_code == 404, action
    need.refresh_from_db()
    assert need.status == Status.PENDING and need.version == 1 and need.title != "hacked"
    assert NeedTransition.objects.filter(need=need).count() == 1


def test_outsider_volunteer_pages_are_404(client, world):
    need = dispatched_to_bob(world)
    login(client, world.charlie)
    assert client.get(f"/m/orders/{need.pk}/").status_code == 404
    assert client.post(f"/m/orders/{need.pk}/accept/").status_code == 404


# --- escaping and language ------------------------------------------------------------------


def test_script_in_text_is_escaped_everywhere(client, world):
    evil = "<script>x()</script>"  # a short title is at most 20 characters
    need = order_help(world, description=f"{evil}救命", title=evil)
    for user, path in [
        (world.alice, "/desk/needs/"),
        (world.alice, f"/desk/needs/{need.pk}/"),
        (world.dora, "/m/my/"),
        (world.dora, f"/m/needs/{need.pk}/"),
    ]:
        page = text(login(client, user).get(path))
        assert "&lt;script&gt;" in page, path
        assert evil not in page, path


def test_english_locale_renders_english(client, world):
    order_help(world)
    login(client, world.alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/desk/"})
    page = text(client.get("/desk/"))
    assert "Needs ledger" in page and "Pending" in page and "Social worker" in page
    assert "民情台账" not in page
    ledger = text(client.get("/desk/needs/"))
    assert "Appliance repair" in ledger and "Urgent" in ledger


def test_english_form_errors(client, world):
    login(client, world.dora)
    client.cookies["django_language"] = "en"
    response = client.post("/m/", {"category": "repair", "urgency": ""})
    assert "This field is required." in text(response)


def test_service_record_exists_after_web_completion(client, world):
    need = dispatched_to_bob(world)
    login(client, world.bob)
    client.post(f"/m/orders/{need.pk}/accept/")
    client.post(f"/m/orders/{need.pk}/complete/", {"minutes": "30", "note": "陪同就医"})
    assert ServiceRecord.objects.filter(volunteer=world.bob_volunteer).count() == 1


def test_stylesheet_is_served_locally_and_pages_use_no_outside_address(client, world):
    css = client.get("/static/shezhi/app.css")
    assert css.status_code == 200
    page = text(login(client, world.alice).get("/desk/"))
    assert "/static/shezhi/app.css" in page
    assert "http://" not in page and "https://" not in page
