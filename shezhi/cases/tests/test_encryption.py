"""Encryption at rest: the raw rows hold no plain text, a wrong or missing key refuses, keys
rotate, and start-up refuses a production configuration without usable keys."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from shezhi.cases import checks, crypto, selectors, services
from shezhi.cases.models import Assessment, InterventionLog, Stage, SupervisionNote
from shezhi.cases.tests.factories import assess, log_session, open_case, to_stage

pytestmark = pytest.mark.django_db

SECRET = "曾遭父亲殴打，手臂有淤青"


def raw(model, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        table = connection.ops.quote_name(model._meta.db_table)
        cur.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


@pytest.fixture
def key_one(settings):
    key = Fernet.generate_key().decode()
    settings.SHEZHI_CASE_KEYS = [key]
    settings.SHEZHI_CASE_DEV_KEY_ALLOWED = False
    return key


def test_sensitive_fields_are_not_stored_in_plain_text(world, key_one):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.ASSESSMENT)
    a = assess(case, world.alice, risks=SECRET, narrative="案主长期被忽视，夜不归宿")
    for column in ("risks", "narrative"):
        stored = raw(Assessment, column, a.pk)
        assert stored.startswith("gAAAAA")
        assert "殴打" not in stored and "忽视" not in stored
    # and reading through the model gives the text back
    assert Assessment.objects.get(pk=a.pk).risks == SECRET
    assert selectors.case_assessments(actor=world.alice, case_id=case.pk)[0].risks == SECRET


def test_sessions_supervision_and_safety_plan_are_encrypted(world, key_one):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    log = log_session(case, world.alice, content="讨论自伤想法")
    note = services.supervision_note_add(actor=world.sam, case_id=case.pk, text="督导：评估自伤")
    crisis = services.crisis_start(actor=world.alice, case_id=case.pk)
    services.crisis_safety_plan(actor=world.alice, crisis_id=crisis.pk, text="移除刀具")
    assert "自伤" not in raw(InterventionLog, "content", log.pk)
    assert "自伤" not in raw(SupervisionNote, "text", note.pk)
    assert "刀具" not in raw(type(crisis), "safety_plan", crisis.pk)
    assert InterventionLog.objects.get(pk=log.pk).content == "讨论自伤想法"


def test_wrong_key_gives_a_clear_error_not_garbage(world, key_one, settings):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.ASSESSMENT)
    a = assess(case, world.alice, risks=SECRET)
    settings.SHEZHI_CASE_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.CaseKeyError, match="无法解密"):
        Assessment.objects.get(pk=a.pk)


def test_missing_key_refuses_to_write_plain_text(world, settings):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.ASSESSMENT)
    settings.SHEZHI_CASE_KEYS = []
    settings.SHEZHI_CASE_DEV_KEY_ALLOWED = False
    with pytest.raises(crypto.CaseKeyError, match="SHEZHI_CASE_KEYS"):
        assess(case, world.alice, risks=SECRET)
    assert not Assessment.objects.exists()


def test_malformed_key_refuses(world, settings):
    settings.SHEZHI_CASE_KEYS = ["not-a-key"]
    with pytest.raises(crypto.CaseKeyError, match="格式错误"):
        crypto.encrypt("x")


def test_dev_key_only_when_allowed(settings):
    settings.SHEZHI_CASE_KEYS = []
    settings.SHEZHI_CASE_DEV_KEY_ALLOWED = True
    assert crypto.decrypt(crypto.encrypt("测试")) == "测试"
    settings.SHEZHI_CASE_DEV_KEY_ALLOWED = False
    assert crypto.configured_keys() == []


def test_rotation_reencrypts_every_row_with_the_current_key(world, key_one, settings):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    a = case.assessments.get()
    log = log_session(case, world.alice, content="第一次面谈")
    old_token = raw(Assessment, "risks", a.pk)
    new_key = Fernet.generate_key().decode()
    settings.SHEZHI_CASE_KEYS = [new_key, key_one]
    out = io.StringIO()
    call_command("rotate_case_keys", stdout=out)
    assert "已重新加密" in out.getvalue()
    assert raw(Assessment, "risks", a.pk) != old_token
    settings.SHEZHI_CASE_KEYS = [new_key]  # the old key is gone: everything still reads
    assert Assessment.objects.get(pk=a.pk).risks == "曾遭父亲殴打"
    assert InterventionLog.objects.get(pk=log.pk).content == "第一次面谈"
    settings.SHEZHI_CASE_KEYS = [key_one]  # and the old key alone no longer does
    with pytest.raises(crypto.CaseKeyError):
        Assessment.objects.get(pk=a.pk)


def test_rotation_without_the_old_key_fails_clearly(world, key_one, settings):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.ASSESSMENT)
    assess(case, world.alice)
    settings.SHEZHI_CASE_KEYS = [Fernet.generate_key().decode()]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="旧密钥"):
        call_command("rotate_case_keys")


@pytest.mark.parametrize(
    ("keys", "dev", "debug", "ids"),
    [
        ([], False, False, {"shezhi.cases.E001"}),
        (["short"], False, False, {"shezhi.cases.E001"}),
        ([], True, False, {"shezhi.cases.E002"}),
        ([], True, True, set()),
        ([], False, True, {"shezhi.cases.E001"}),
        ("valid", False, False, set()),
    ],
)
def test_start_up_check(settings, keys, dev, debug, ids):
    settings.SHEZHI_CASE_KEYS = [Fernet.generate_key().decode()] if keys == "valid" else keys
    settings.SHEZHI_CASE_DEV_KEY_ALLOWED = dev
    settings.DEBUG = debug
    errors = checks.case_keys_are_usable(None)
    assert {e.id for e in errors} == ids
    assert all("SHEZHI_CASE" in e.msg or "个案" in e.msg for e in errors)


def test_production_without_key_refuses_to_start(settings):
    settings.DEBUG = False
    settings.SHEZHI_CASE_KEYS = []
    settings.SHEZHI_CASE_DEV_KEY_ALLOWED = False
    settings.SECRET_KEY = "a-real-production-secret-key-for-this-test-0123456789"
    with pytest.raises(SystemCheckError, match="SHEZHI_CASE_KEYS"):
        call_command("check")
