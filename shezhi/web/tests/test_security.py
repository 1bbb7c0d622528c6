"""Audit finding 12 (等级保护 2.0): log-in lock-out, password rules and change, forced change of
issued passwords, idle time-out of desk sessions, request limits, Chinese error pages, CSP,
no-store and HSTS."""

import json
import time

import pytest
from cryptography.fernet import Fernet
from django.core.checks.security.base import check_sts, check_sts_include_subdomains
from django.test import Client

from shezhi.accounts.login_state import LAST_SEEN_KEY
from shezhi.accounts.models import Role, User
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases.models import Stage
from shezhi.cases.tests.factories import assess, open_case, to_stage
from shezhi.checks import secret_key_is_strong

pytestmark = pytest.mark.django_db

BIG = 2_700_000  # over the 2.5 MB body limit


def log_in(client: Client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


# --- lock-out ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert log_in(client, world.alice.username, "wrong-guess").status_code == 200
    locked = log_in(client, world.alice.username, "wrong-guess")
    assert locked.status_code == 429
    assert "密码连续输错 5 次" in locked.content.decode()
    right = log_in(client, world.alice.username, "pass-1234")
    assert right.status_code == 429 and "暂时不能登录" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_address_trying_many_accounts_is_locked_out(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for i in range(5):
        log_in(client, f"nobody{i}", "guess", REMOTE_ADDR="10.9.9.9")
    # The address is locked, for a real account with its right password too ...
    assert (
        log_in(client, world.alice.username, "pass-1234", REMOTE_ADDR="10.9.9.9").status_code == 429
    )
    # ... while the account itself is not, from another address.
    assert (
        log_in(client, world.alice.username, "pass-1234", REMOTE_ADDR="10.1.1.1").status_code == 302
    )


def test_admin_unlocks_an_account(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        log_in(client, world.alice.username, "wrong", REMOTE_ADDR="10.2.2.2")
    assert (
        log_in(client, world.alice.username, "pass-1234", REMOTE_ADDR="10.3.3.3").status_code == 429
    )

    root = UserFactory(role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(root)
    done = admin.post(
        "/admin/accounts/user/",
        {"action": "unlock_login", "_selected_action": [world.alice.pk]},
        follow=True,
    )
    assert "已解除 1 个账号的登录锁定" in done.content.decode()
    assert (
        log_in(client, world.alice.username, "pass-1234", REMOTE_ADDR="10.3.3.3").status_code == 302
    )


def test_a_successful_log_in_resets_the_count(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        log_in(client, world.alice.username, "wrong")
    assert log_in(client, world.alice.username, "pass-1234").status_code == 302
    client.logout()
    for _ in range(2):
        log_in(client, world.alice.username, "wrong")
    assert log_in(client, world.alice.username, "pass-1234").status_code == 302


# --- password change and forced change ----------------------------------------------------------


def change(client: Client, old: str, new: str):
    return client.post(
        "/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("zhangsan", "zhangsan", "密码不能包含用户名"),
        ("zhangsan", "Zhangsan2026", "密码不能包含用户名"),
        ("worker1", "worker1worker1", "密码不能包含用户名"),
        ("zhangsan", "20262026", "密码不能全是数字"),
        ("zhangsan", "abc", "密码太短，至少需要 8 个字符"),
    ],
)
def test_change_page_refuses_weak_passwords_in_chinese(client, db, username, password, message):
    user = UserFactory(username=username, role=Role.VOLUNTEER)
    client.force_login(user)
    page = change(client, "pass-1234", password)
    assert page.status_code == 200 and message in page.content.decode()
    user.refresh_from_db()
    assert user.check_password("pass-1234")


def test_change_page_is_linked_and_changes_the_password(client, world):
    client.force_login(world.bob)
    assert 'href="/password/"' in client.get("/m/orders/").content.decode()
    assert change(client, "pass-1234", "Gulou-lane-7!").status_code == 302
    world.bob.refresh_from_db()
    assert world.bob.check_password("Gulou-lane-7!")
    assert change(client, "wrong-old", "Another-pass-9").status_code == 200


def test_anonymous_cannot_reach_the_change_page(client):
    assert client.get("/password/").url.startswith("/login/")


def test_an_issued_password_must_be_changed_before_anything_else(client, world):
    User.objects.filter(pk=world.alice.pk).update(must_change_password=True)
    client.force_login(world.alice)
    sent = client.get("/desk/")
    assert sent.status_code == 302 and sent.url == "/password/"
    api = client.get("/api/v1/needs")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    assert "您正在使用初始密码" in client.get("/password/").content.decode()
    assert change(client, "pass-1234", "Gulou-lane-7!").status_code == 302
    world.alice.refresh_from_db()
    assert not world.alice.must_change_password
    assert client.get("/desk/").status_code == 200


# --- idle time-out ------------------------------------------------------------------------------


def idle_for(client: Client, minutes: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_desk_session_ends_after_the_idle_time(client, world, settings):
    settings.SHEZHI_STAFF_IDLE_MINUTES = 30
    client.force_login(world.alice)
    assert client.get("/desk/").status_code == 200
    idle_for(client, 31)
    sent = client.get("/desk/")
    assert sent.status_code == 302 and sent.url.startswith("/login/")
    assert "_auth_user_id" not in client.session
    assert "自动退出" in client.get(sent.url).content.decode()


def test_desk_session_slides_while_in_use(client, world, settings):
    settings.SHEZHI_STAFF_IDLE_MINUTES = 30
    client.force_login(world.alice)
    idle_for(client, 29)
    assert client.get("/desk/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


def test_volunteer_phone_session_has_no_idle_time_out(client, world, settings):
    settings.SHEZHI_STAFF_IDLE_MINUTES = 30
    client.force_login(world.bob)
    idle_for(client, 600)
    assert client.get("/m/orders/").status_code == 200


# --- oversized requests -------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
def test_api_answers_oversized_bodies_413_in_its_json_shape(client, world, settings, debug):
    settings.DEBUG = debug
    client.force_login(world.alice)
    body = json.dumps({"title": "x" * BIG})
    for method, path in [
        ("POST", "/api/v1/needs"),
        ("POST", "/api/v1/needs/1/rate"),
        ("PATCH", f"/api/v1/residents/{world.dora_resident.pk}"),
    ]:
        answer = client.generic(method, path, body, content_type="application/json")
        assert answer.status_code == 413, path
        assert answer.json()["code"] == "too_large" and "请求内容过大" in answer.json()["message"]


@pytest.mark.parametrize("debug", [True, False])
def test_api_answers_too_many_parameters_400_in_its_json_shape(client, world, settings, debug):
    settings.DEBUG = debug
    client.force_login(world.alice)
    query = "&".join(f"p{i}=1" for i in range(1001))
    answer = client.get(f"/api/v1/needs?{query}")
    assert answer.status_code == 400 and answer.json()["code"] == "too_many_fields"


def test_web_answers_oversized_form_with_a_chinese_page(client, world, settings):
    settings.DEBUG = True
    client.force_login(world.dora)
    page = client.post("/m/", {"title": "x" * BIG})
    assert page.status_code == 413 and "提交的内容太大" in page.content.decode()
    many = client.post("/m/", {f"f{i}": "1" for i in range(1001)})
    assert many.status_code == 400 and "提交的项目太多" in many.content.decode()


# --- a case after the keys changed --------------------------------------------------------------


def test_case_under_a_replaced_key_shows_a_clear_message(client, world, settings, caplog):
    settings.SHEZHI_CASE_KEYS = [Fernet.generate_key().decode()]
    settings.SHEZHI_CASE_DEV_KEY_ALLOWED = False
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.ASSESSMENT)
    assess(case, world.alice, risks="夜不归宿")
    settings.SHEZHI_CASE_KEYS = [Fernet.generate_key().decode()]  # the old key is gone
    client.force_login(world.alice)
    page = client.get(f"/desk/cases/{case.pk}/")
    assert page.status_code == 503 and "个案资料暂时无法打开" in page.content.decode()
    api = client.get(f"/api/v1/cases/{case.pk}")
    assert api.status_code == 503 and api.json()["code"] == "case_key"
    assert "cannot be decrypted" in caplog.text


# --- error pages --------------------------------------------------------------------------------


def test_team_leader_on_a_desk_page_gets_the_chinese_403(client, world):
    leader = UserFactory(role=Role.TEAM_LEADER, unit=world.a["community"])
    client.force_login(leader)
    page = client.get("/desk/")
    html = page.content.decode()
    assert page.status_code == 403
    assert "没有权限查看此页面" in html and 'href="/"' in html and "Forbidden" not in html


def test_unknown_page_is_a_chinese_404(client, world):
    client.force_login(world.alice)
    page = client.get("/desk/needs/999999/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert "返回首页" in client.get("/no-such-page/").content.decode()


def test_csrf_failure_is_a_chinese_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dora)
    page = client.post("/m/", {"title": "修水管"})
    assert page.status_code == 403 and "页面已过期" in page.content.decode()


# --- headers and deployment ---------------------------------------------------------------------


def test_pages_carry_a_self_only_content_security_policy(client, world):
    client.force_login(world.alice)
    policy = client.get("/desk/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_authenticated_answers_are_not_stored_but_static_files_may_be(client, world):
    assert "no-store" not in client.get("/static/shezhi/app.css").get("Cache-Control", "")
    client.force_login(world.alice)
    assert "no-store" in client.get("/desk/needs/")["Cache-Control"]
    assert "no-store" in client.get("/api/v1/needs")["Cache-Control"]
    assert "no-store" not in client.get("/static/shezhi/app.css").get("Cache-Control", "")


def test_bearer_token_api_answers_are_not_stored(client, world):
    from shezhi.accounts.services import api_token_create

    token = api_token_create(user=world.alice, name="test")[1]
    answer = client.get("/api/v1/needs", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]


def test_hsts_setting_passes_the_deploy_checks(settings):
    settings.SECURE_HSTS_SECONDS = 0
    assert [w.id for w in check_sts(None)] == ["security.W004"]
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert check_sts(None) == [] and check_sts_include_subdomains(None) == []


@pytest.mark.parametrize(
    "key", ["changeme", "CHANGEME", "secret", "django-insecure-abc", "short-key-1234", "a" * 60]
)
def test_deploy_check_refuses_weak_secret_keys(settings, key):
    settings.SECRET_KEY = key
    assert [e.id for e in secret_key_is_strong(None)] == ["shezhi.E002"]


def test_deploy_check_accepts_a_generated_secret_key(settings):
    settings.SECRET_KEY = "q8Zt3-Vn0pL_x7RkW2mYc9sB4hJfD1gA6uEoT5iNrKvXbQwPlSz"
    assert secret_key_is_strong(None) == []


# --- TOTP second factor -------------------------------------------------------------------------


def current_code(device, drift: int = 0) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, drift=drift):06d}"


def test_admin_must_enrol_a_totp_device_when_configured(client, world, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.SHEZHI_TOTP_REQUIRED_ROLES = frozenset({"system_admin"})
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a wrong code
    client.force_login(world.admin)
    sent = client.get("/desk/")
    assert sent.status_code == 302 and sent.url.startswith("/otp/setup/")
    assert client.get("/api/v1/needs").json()["code"] == "second_factor_required"
    page = client.get(sent.url).content.decode()
    assert "data:image/svg+xml" in page and "须开启两步验证" in page
    device = TOTPDevice.objects.get(user=world.admin)
    wrong = client.post(
        "/otp/setup/", {"code": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert "验证码不正确" in wrong.content.decode()
    assert client.post("/otp/setup/", {"code": current_code(device)}).status_code == 302
    assert client.get("/desk/").status_code == 200

    # The next log-in asks for a code before anything else.
    again = Client()
    assert log_in(again, world.admin.username, "pass-1234").status_code == 302
    sent = again.get("/desk/")
    assert sent.status_code == 302 and sent.url.startswith("/otp/verify/")
    refused = again.post("/otp/verify/", {"code": "12345"})
    assert "验证码是 6 位数字" in refused.content.decode()
    device.refresh_from_db()
    # A code is good once (replay refused), so give the next one (one step ahead is accepted).
    assert again.post("/otp/verify/", {"code": current_code(device, drift=1)}).status_code == 302
    assert again.get("/desk/").status_code == 200


def test_other_roles_need_no_second_factor_unless_they_enrolled(client, world, settings):
    settings.SHEZHI_TOTP_REQUIRED_ROLES = frozenset({"system_admin"})
    client.force_login(world.alice)
    assert client.get("/desk/").status_code == 200
    settings.SHEZHI_TOTP_REQUIRED_ROLES = frozenset()
    client.force_login(world.admin)
    assert client.get("/desk/").status_code == 200


def test_volunteers_cannot_open_the_enrolment_page(client, world):
    client.force_login(world.bob)
    assert client.get("/otp/setup/").status_code == 403
