"""Need titles cut between words (typed short titles too), and records of orders that carry
the category and a neutral description instead of anyone's words."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from shezhi.core.errors import InvalidInput, NotFound
from shezhi.core.summary import ELLIPSIS
from shezhi.needs import services
from shezhi.needs.models import Need
from shezhi.needs.tests.factories import NeedFactory
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import record

WORDS = "我78岁一个人住，明天上午要去武汉市第一医院心内科复诊，想找人陪同挂号取药"


def order(world, description=WORDS, **kwargs) -> Need:
    return services.need_create(
        actor=world.dora,
        category="daily_care",
        urgency="general",
        description=description,
        **kwargs,
    )


def test_title_is_summarised_between_words(world):
    need = order(world)
    assert need.title.endswith(ELLIPSIS) and len(need.title) <= 20
    assert need.title != WORDS[:20] and not need.title.removesuffix(ELLIPSIS).endswith("第一")


def test_a_typed_short_title_is_kept(world):
    assert order(world, title=" 陪同复诊 ").title == "陪同复诊"


def test_an_over_long_typed_title_is_refused_on_its_field(world):
    with pytest.raises(InvalidInput) as exc:
        order(world, title="请" * 21)
    assert exc.value.field == "title" and "20" in exc.value.message
    assert not Need.objects.exists()


def test_editing_the_description_with_a_blank_title_summarises_again(world):
    need = order(world, description="水龙头漏水")
    need = services.need_update(
        actor=world.alice,
        need_id=need.pk,
        expected_version=need.version,
        title="",
        description="卫生间水龙头一直滴水，厨房的灯泡也坏了，需要更换和检查",
    )
    assert need.title == "卫生间水龙头一直滴水…"  # the whole first clause


def test_the_api_takes_a_short_title_and_refuses_a_long_one(world, client):
    """The resident's own 点单 page asks for no title (fewest taps): it gets the summary."""
    client.force_login(world.dora)
    body = {"category": "daily_care", "urgency": "general", "description": WORDS}
    response = client.post(
        "/api/v1/needs", body | {"title": "陪诊"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Need.objects.get().title == "陪诊"
    response = client.post(
        "/api/v1/needs", body | {"title": "陪" * 21}, content_type="application/json"
    )
    assert response.status_code == 400 and Need.objects.count() == 1


def test_public_title_and_description_name_only_the_service(world):
    need = order(world)
    assert need.public_title == "生活照料服务"
    assert need.public_description == "为社区居民提供生活照料服务"


def _done(world, **kwargs) -> Need:
    need = order(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_start(actor=world.bob, need_id=need.pk)
    return services.need_complete(
        actor=world.bob,
        need_id=need.pk,
        minutes=90,
        note="陪同董阿姨到市一医院心内科复诊",
        **kwargs,
    )


def test_the_record_carries_category_and_neutral_description_not_the_note(world):
    need = _done(world)
    r = ServiceRecord.objects.get(source=f"need:{need.pk}")
    assert (r.title, r.category) == ("生活照料服务", "生活照料")
    assert r.content == r.public_description == "为社区居民提供生活照料服务"
    assert r.place == world.a["community"].name  # not the resident's home address
    assert r.hours == Decimal("1.5")


def test_the_worker_may_write_a_neutral_description(world):
    need = _done(world, service_description="为社区居民提供陪诊服务，协助挂号取药")
    assert ServiceRecord.objects.get(source=f"need:{need.pk}").content == (
        "为社区居民提供陪诊服务，协助挂号取药"
    )


@pytest.mark.parametrize(
    "text", ["陪同董阿姨复诊", "给朵拉送药", "电话13812345678", "78岁老人", "到3栋2单元"]
)
def test_a_description_with_personal_data_is_refused_and_nothing_is_written(world, text):
    with pytest.raises(InvalidInput) as exc:
        _done(world, service_description=text)
    assert exc.value.field == "service_description"
    assert "不要写入" in exc.value.message
    assert not ServiceRecord.objects.exists()
    assert Need.objects.get().status == "in_service"


def test_the_outsider_cannot_complete(world):
    need = order(world)
    with pytest.raises(NotFound):
        services.need_complete(
            actor=world.charlie, need_id=need.pk, minutes=30, note="好", service_description=""
        )


def test_backfill_retitles_only_old_cut_titles(world):
    cut = NeedFactory(
        created_by=world.alice, resident=world.dora_resident, description=WORDS, title=WORDS[:20]
    )
    typed = NeedFactory(
        created_by=world.alice, resident=world.dora_resident, description=WORDS, title="陪同复诊"
    )
    call_command("need_titles_backfill", stdout=open("/dev/null", "w"))  # noqa: SIM115
    cut.refresh_from_db()
    typed.refresh_from_db()
    assert cut.title.endswith(ELLIPSIS) and cut.title != WORDS[:20]
    assert typed.title == "陪同复诊"


def test_migration_rewrites_existing_order_records_to_the_neutral_description(world):
    need = NeedFactory(
        created_by=world.alice, resident=world.dora_resident, description=WORDS, title=WORDS[:20]
    )
    old = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=60,
        service_date=timezone.localdate(),
        content="陪同董阿姨到市一医院心内科复诊",
    )
    ServiceRecord.objects.filter(pk=old.pk).update(
        source=f"need:{need.pk}", title=f"{need.category.name}：{need.title}", place="3栋2单元501"
    )
    other = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=30,
        service_date=timezone.localdate() - timedelta(days=1),
    )
    migration = importlib.import_module("shezhi.needs.migrations.0008_neutral_service_records")
    migration.neutralise(apps, None)
    old.refresh_from_db()
    assert old.content == f"为社区居民提供{need.category.name}服务"
    assert old.title == f"{need.category.name}服务" and old.category == need.category.name
    assert old.place == need.community.name
    assert ServiceRecord.objects.get(pk=other.pk).content == other.content


def _in_service(world) -> Need:
    need = order(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_start(actor=world.bob, need_id=need.pk)
    return need


def test_the_completion_page_shows_a_refused_description_on_its_field(world, client):
    need = _in_service(world)
    client.force_login(world.bob)
    url = f"/m/orders/{need.pk}/complete/"
    refused = client.post(
        url, {"minutes": 60, "note": "好了", "service_description": "陪同董阿姨复诊"}
    )
    assert refused.status_code == 400 and "姓名或称呼" in refused.content.decode()
    assert not ServiceRecord.objects.exists()
    client.post(url, {"minutes": 60, "note": "好了", "service_description": "协助就医"})
    assert ServiceRecord.objects.get().content == "协助就医"


def test_the_api_takes_the_service_description(world):
    need = _in_service(world)
    bob = Client()
    bob.force_login(world.bob)
    url = f"/api/v1/needs/{need.pk}/complete"
    body = {"minutes": 60, "note": "好了", "service_description": "电话13812345678"}
    refused = bob.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "电话号码" in refused.content.decode()
    body["service_description"] = ""
    assert bob.post(url, body, content_type="application/json").status_code == 200
    assert ServiceRecord.objects.get().content == "为社区居民提供生活照料服务"
