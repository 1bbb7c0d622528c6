"""A need's history never names the resident to a helper who sees the resident masked
(audit finding 3): API and page alike. Charlie is the outsider."""

import pytest

from shezhi.needs import services


@pytest.fixture
def dispatched(world):
    world.dora.display_name = "朵拉真名"
    world.dora.save()
    need = services.need_create(
        actor=world.dora, category="repair", urgency="general", description="水管漏水"
    )
    return services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )


def test_api_history_masks_the_resident_actor_for_the_volunteer(as_user, world, dispatched):
    body = as_user(world.bob).get(f"/needs/{dispatched.pk}").json()
    actors = [h["actor"] for h in body["history"]]
    assert actors and "朵拉真名" not in str(body)
    assert actors[0] == "居民"
    assert body["resident"]["name"] != world.dora_resident.name
    assert as_user(world.charlie).get(f"/needs/{dispatched.pk}").status_code == 404


def test_order_page_history_masks_the_resident_actor(client, world, dispatched):
    client.force_login(world.bob)
    page = client.get(f"/m/orders/{dispatched.pk}/")
    assert page.status_code == 200
    assert "朵拉真名" not in page.content.decode()
