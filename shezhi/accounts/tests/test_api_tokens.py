import hashlib

import pytest

from shezhi.accounts.models import ApiToken
from shezhi.accounts.services import api_token_authenticate, api_token_create
from shezhi.core.errors import InvalidInput


def test_only_the_sha256_hash_of_a_token_is_stored(world):
    token, raw = api_token_create(user=world.alice, name="对接系统")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(v) for v in ApiToken.objects.values_list(flat=False).get()}


def test_token_authenticates_its_user_and_records_last_use(world):
    token, raw = api_token_create(user=world.alice, name="对接系统")
    assert api_token_authenticate(raw_token=raw) == world.alice
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_other_users_token_does_not_authenticate_the_outsider(world):
    _alice_token, raw = api_token_create(user=world.alice, name="对接系统")
    _charlie_token, _ = api_token_create(user=world.charlie, name="对接系统")
    assert api_token_authenticate(raw_token=raw) != world.charlie
    assert api_token_authenticate(raw_token=raw[:-1]) is None
    assert api_token_authenticate(raw_token="") is None


def test_token_needs_a_name(world):
    with pytest.raises(InvalidInput) as exc:
        api_token_create(user=world.alice, name="  ")
    assert exc.value.field == "name"


def test_deactivated_user_gets_no_token_and_old_tokens_stop_working(world):
    _token, raw = api_token_create(user=world.alice, name="对接系统")
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])
    assert api_token_authenticate(raw_token=raw) is None
    with pytest.raises(InvalidInput):
        api_token_create(user=world.alice, name="新令牌")
