"""Users are deactivated, never deleted, and audit rows keep who acted (audit finding 5);
a token's use is written at most once per interval (finding 6)."""

from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import ApiToken, User
from shezhi.accounts.services import api_token_authenticate, api_token_create, user_deactivate
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.models import AuditEvent


def test_a_user_with_audit_rows_cannot_be_deleted_and_rows_keep_identity(world):
    event = audit.record(
        actor=world.alice, action=AuditEvent.Action.UPDATE, obj=world.dora_resident, summary="x"
    )
    assert event.actor_identity == "alice · 社区社工 · A社区"
    with pytest.raises(ProtectedError):
        world.alice.delete()
    event.refresh_from_db()
    assert event.actor_id == world.alice.pk


def test_admin_deactivates_instead_of_deleting(client, world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    changelist = reverse("admin:accounts_user_changelist")
    assert "delete_selected" not in client.get(changelist).content.decode()
    response = client.post(
        changelist, {"action": "deactivate", "_selected_action": [world.bob.pk]}, follow=True
    )
    assert response.status_code == 200
    world.bob.refresh_from_db()
    assert not world.bob.is_active and User.objects.filter(pk=world.bob.pk).exists()
    row = AuditEvent.objects.get(object_type="accounts.user", object_id=str(world.bob.pk))
    assert row.actor == world.admin and row.changes == {"is_active": [True, False]}
    # Logging in as a non-admin (the outsider) gets no admin at all.
    client.force_login(world.charlie)
    client.post(changelist, {"action": "deactivate", "_selected_action": [world.erin.pk]})
    world.erin.refresh_from_db()
    assert world.erin.is_active


def test_nobody_deactivates_themselves(world):
    with pytest.raises(InvalidInput):
        user_deactivate(actor=world.admin, user_id=world.admin.pk)


def test_token_use_is_written_at_most_once_per_interval(world, django_assert_num_queries):
    token, raw = api_token_create(user=world.bob, name="手机")
    assert api_token_authenticate(raw_token=raw) == world.bob
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the look-up only: no write
        assert api_token_authenticate(raw_token=raw) == world.bob
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=6))
    api_token_authenticate(raw_token=raw)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)
    assert token.last_used_at <= timezone.now()
    world.bob.is_active = False
    world.bob.save()
    assert api_token_authenticate(raw_token=raw) is None
