"""The 一键派单 desk page: proposals with explanations, review, confirm in one step."""

from shezhi.core import tasks
from shezhi.core.models import TaskRun
from shezhi.needs import services
from shezhi.needs.models import DispatchBatch, Need, NeedTransition
from shezhi.needs.tests.factories import NeedFactory
from shezhi.needs.workflow import Status

URL = "/desk/dispatch/bulk/"


def text(response) -> str:
    return response.content.decode()


def confirm(client, capture, url, data):
    """Post the reviewed rows (the queue dispatches them after commit), then open the page the
    post leads to: the batch's outcome."""
    with capture(execute=True):
        posted = client.post(url, data)
    assert posted.status_code == 302
    return client.get(posted["Location"], follow=True)


def test_page_lists_proposals_with_explanations_and_confirms_them(
    client, world, django_capture_on_commit_callbacks
):
    keep = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    to_pool = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    skipped = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    client.force_login(world.alice)
    page = client.get(URL)
    assert page.status_code == 200
    body = text(page)
    assert "一键派单" in body and "技能匹配" in body and f"#{keep.pk}" in body
    plan = page.context["plan"]
    proposed = {p.need.pk: f"{p.target_kind}:{p.target_id}" for p in plan.proposals}
    response = confirm(
        client,
        django_capture_on_commit_callbacks,
        f"{URL}?unit={world.a['community'].pk}",
        {
            "need": [keep.pk, to_pool.pk, skipped.pk],
            f"choice_{keep.pk}": proposed[keep.pk],
            f"version_{keep.pk}": keep.version,
            f"choice_{to_pool.pk}": "pool:0",
            f"version_{to_pool.pk}": to_pool.version,
            f"choice_{skipped.pk}": "skip",
            f"version_{skipped.pk}": skipped.version,
        },
    )
    assert response.status_code == 200 and "已派单 2 条" in text(response)
    statuses = dict(Need.objects.values_list("pk", "status"))
    assert statuses[keep.pk] == statuses[to_pool.pk] == Status.DISPATCHED
    assert statuses[skipped.pk] == Status.PENDING
    assert Need.objects.get(pk=to_pool.pk).assignee_kind == Need.AssigneeKind.POOL


def test_stale_row_shows_its_message_and_the_rest_go_through(
    client, world, django_capture_on_commit_callbacks
):
    fresh = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    stale = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    client.force_login(world.alice)
    response = confirm(
        client,
        django_capture_on_commit_callbacks,
        URL,
        {
            "need": [fresh.pk, stale.pk],
            f"choice_{fresh.pk}": "pool:0",
            f"version_{fresh.pk}": fresh.version,
            f"choice_{stale.pk}": "pool:0",
            f"version_{stale.pk}": stale.version + 3,
        },
    )
    body = text(response)
    assert "已派单 1 条" in body and f"#{stale.pk}：" in body and "请刷新后再试" in body


def test_outsider_gets_404_and_helpers_403(client, world):
    NeedFactory(resident=world.dora_resident, created_by=world.alice)
    client.force_login(world.charlie)
    assert client.get(f"{URL}?unit={world.a['community'].pk}").status_code == 404
    for junk in ("abc", "²", "٣", "0", "-1", "99999999999999999999999"):
        assert client.get(f"{URL}?unit={junk}").status_code == 404, junk
    client.force_login(world.gina)  # a grid worker may not dispatch
    assert client.get(URL).status_code == 403
    client.force_login(world.bob)
    assert client.get(URL).status_code == 403


def test_malformed_post_is_refused_without_error_page(client, world):
    client.force_login(world.alice)
    response = client.post(
        URL,
        {
            "need": ["x", "\x00", "²", "1"],
            "choice_x": "bad",
            "choice_1": "pool:²",
            "version_1": "²",
        },
        follow=True,
    )
    assert response.status_code == 200 and "请至少确认一条派单建议" in text(response)


def test_reviewer_can_hand_a_proposal_to_one_of_the_offered_alternatives(
    client, world, django_capture_on_commit_callbacks
):
    need = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    client.force_login(world.alice)
    page = client.get(URL)
    (proposal,) = page.context["plan"].proposals
    assert proposal.alternatives, "other feasible helpers are offered"
    kind, target_id, name, why = proposal.alternatives[0]
    assert (kind, target_id) != (proposal.target_kind, proposal.target_id) and why
    assert f'value="{kind}:{target_id}"' in text(page) and f"改派：{name}" in text(page)
    response = confirm(
        client,
        django_capture_on_commit_callbacks,
        f"{URL}?unit={world.a['community'].pk}",
        {
            "need": [need.pk],
            f"choice_{need.pk}": f"{kind}:{target_id}",
            f"version_{need.pk}": need.version,
        },
    )
    assert "已派单 1 条" in text(response)
    need.refresh_from_db()
    assert need.assignee_kind == kind


def test_result_lists_who_got_what(client, world, django_capture_on_commit_callbacks):
    first = NeedFactory(resident=world.dora_resident, created_by=world.alice, title="修热水器")
    second = NeedFactory(resident=world.dora_resident, created_by=world.alice, title="代买药品")
    client.force_login(world.alice)
    response = confirm(
        client,
        django_capture_on_commit_callbacks,
        URL,
        {
            "need": [first.pk, second.pk],
            f"choice_{first.pk}": f"volunteer:{world.bob_volunteer.pk}",
            f"version_{first.pk}": first.version,
            f"choice_{second.pk}": "pool:0",
            f"version_{second.pk}": second.version,
        },
    )
    body = text(response)
    assert response.status_code == 200 and 'data-testid="dispatch-done"' in body
    rows = body[body.index('data-testid="dispatch-done"') :]
    assert rows.index("修热水器") < rows.index(f"→ {world.bob_volunteer}") < rows.index("代买药品")
    assert "社区志愿者（抢单）" in rows


def test_confirming_queues_the_batch_and_its_page_waits_for_the_queue(client, world):
    need = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    client.force_login(world.alice)
    data = {"need": [need.pk], f"choice_{need.pk}": "pool:0", f"version_{need.pk}": need.version}
    posted = client.post(URL, data)  # not committed yet: the queue has not run it
    batch = DispatchBatch.objects.get()
    assert posted["Location"] == f"/desk/dispatch/bulk/{batch.pk}/"
    run = TaskRun.objects.get(name="needs.bulk_dispatch")
    assert run.kwargs == {"batch_id": batch.pk} and run.status == TaskRun.Status.QUEUED
    page = client.get(posted["Location"])
    assert 'data-testid="dispatch-pending"' in text(page) and page["Refresh"] == "3"
    assert Need.objects.get(pk=need.pk).status == Status.PENDING
    assert tasks.execute(run.pk) == TaskRun.Status.DONE  # the runner's turn
    page = client.get(posted["Location"])
    assert "已派单 1 条" in text(page) and not page.has_header("Refresh")
    assert tasks.execute(run.pk) is None  # redelivered: nothing dispatched twice
    assert NeedTransition.objects.filter(need=need, action="dispatch").count() == 1


def test_only_the_dispatcher_who_confirmed_sees_the_batch(client, world):
    batch = DispatchBatch.objects.create(actor=world.alice, items=[])
    client.force_login(world.charlie)  # another community's social worker
    assert client.get(f"/desk/dispatch/bulk/{batch.pk}/").status_code == 404
    client.force_login(world.sam)  # even the street's supervisor: it is alice's record
    assert client.get(f"/desk/dispatch/bulk/{batch.pk}/").status_code == 404
    client.force_login(world.bob)
    assert client.get(f"/desk/dispatch/bulk/{batch.pk}/").status_code == 403


def test_the_batch_page_runs_the_same_queries_however_many_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.alice)

    def queries(n: int) -> int:
        needs = [
            NeedFactory(resident=world.dora_resident, created_by=world.alice) for _ in range(n)
        ]
        batch = services.needs_dispatch_batch_create(
            actor=world.alice,
            proposals=[
                services.ConfirmItem(
                    need_id=need.pk,
                    target_kind="volunteer",
                    target_id=world.bob_volunteer.pk,
                    expected_version=need.version,
                )
                for need in needs
            ],
        )
        services.dispatch_batch_run(batch_id=batch.pk)
        with CaptureQueriesContext(connection) as seen:
            page = client.get(f"/desk/dispatch/bulk/{batch.pk}/")
        assert text(page).count("→ ") == n
        return len(seen)

    assert queries(1) == queries(4)
