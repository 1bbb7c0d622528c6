"""Session (with CSRF) or bearer token; anything else is 401 with a Chinese message."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from shezhi.accounts.models import ApiToken
from shezhi.accounts.services import api_token_create


def test_unauthenticated_request_is_401_with_chinese_message(as_user, world):
    response = as_user().get("/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "登录" in response.json()["message"]


def test_bearer_token_authenticates_and_records_use(as_user, world):
    token, raw = api_token_create(user=world.alice, name="对接系统")
    assert token.token_hash != raw and raw not in token.token_hash
    client = as_user(authorization=f"Bearer {raw}")
    response = client.get("/me")
    assert response.status_code == 200 and response.json()["username"] == "alice"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_bearer_token_can_write_without_csrf(as_user, world):
    _token, raw = api_token_create(user=world.dora, name="小程序")
    response = as_user(authorization=f"Bearer {raw}").post(
        "/needs", {"category": "repair", "urgency": "general", "description": "灯坏了"}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "header", ["Bearer wrong-token", "Bearer ", "Token abc", "Bearer " + "x" * 5000]
)
def test_wrong_token_is_401(as_user, world, header):
    api_token_create(user=world.alice, name="对接系统")
    response = as_user(authorization=header).get("/me")
    assert response.status_code == 401
    assert response.json()["message"]


def test_token_of_deactivated_user_is_401(as_user, world):
    _token, raw = api_token_create(user=world.alice, name="对接系统")
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    assert as_user(authorization=f"Bearer {raw}").get("/me").status_code == 401


def test_session_write_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dora)
    response = client.post(
        "/api/v1/needs",
        {"category": "repair", "urgency": "general", "description": "灯坏了"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["message"]
    assert client.get("/api/v1/me").status_code == 200


def test_api_token_command_prints_a_working_token(as_user, world):
    out = StringIO()
    call_command("api_token", world.bob.username, "--name", "测试", stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.objects.get(user=world.bob).name == "测试"
    assert as_user(authorization=f"Bearer {raw}").get("/me").json()["id"] == world.bob.pk


def test_api_token_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="未找到用户"):
        call_command("api_token", "nobody-here", stdout=StringIO())
