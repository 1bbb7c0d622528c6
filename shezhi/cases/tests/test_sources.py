"""Opening a case from a crisis alert, a need or a visit links them."""

import pytest
from django.utils import timezone

from shezhi.care.models import CareAlert, Visit
from shezhi.cases import services
from shezhi.cases.models import Case
from shezhi.cases.tests.factories import open_case
from shezhi.core.errors import Conflict, InvalidInput, NotFound
from shezhi.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def crisis_alert(resident, **kwargs):
    params = {
        "kind": CareAlert.Kind.CRISIS,
        "resident": resident,
        "community": resident.community,
        "grid": resident.grid,
        "summary": "留言中出现轻生念头",
    }
    params.update(kwargs)
    return CareAlert.objects.create(**params)


def test_case_from_crisis_alert_links_and_acknowledges_it(world):
    alert = crisis_alert(world.dora_resident)
    case = services.case_open_from_alert(
        actor=world.alice, alert_id=alert.pk, problem_type="mental_health", client_consent=True
    )
    assert (case.source, case.care_alert, case.client) == (
        Case.Source.CRISIS_ALERT,
        alert,
        world.dora_resident,
    )
    assert case.risk_level == "urgent"
    alert.refresh_from_db()
    assert alert.status == CareAlert.Status.ACKNOWLEDGED
    with pytest.raises(Conflict, match="已开案"):
        services.case_open_from_alert(actor=world.alice, alert_id=alert.pk, problem_type="other")


def test_alert_without_resident_or_outside_scope_is_refused(world):
    anonymous = CareAlert.objects.create(
        kind=CareAlert.Kind.CRISIS, community=world.a["community"], summary="匿名留言"
    )
    with pytest.raises(InvalidInput, match="没有关联居民"):
        services.case_open_from_alert(
            actor=world.alice, alert_id=anonymous.pk, problem_type="other"
        )
    alert = crisis_alert(world.dora_resident)
    with pytest.raises(NotFound):
        services.case_open_from_alert(actor=world.charlie, alert_id=alert.pk, problem_type="other")
    assert not Case.objects.exists()


def test_alert_of_another_resident_cannot_be_linked(world):
    from shezhi.people.tests.factories import ResidentFactory

    other = ResidentFactory(grid=world.a["grid"])
    alert = crisis_alert(other)
    with pytest.raises(InvalidInput, match="不属于此服务对象"):
        open_case(
            world.alice,
            world.dora_resident,
            source=Case.Source.CRISIS_ALERT,
            care_alert_id=alert.pk,
        )


def test_case_from_need_links_it(world):
    need = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    case = services.case_open_from_need(
        actor=world.alice,
        need_id=need.pk,
        problem_type="poverty",
        risk_level="medium",
        client_consent=True,
    )
    assert (case.source, case.need, case.client) == (Case.Source.NEED, need, world.dora_resident)
    assert list(need.cases.all()) == [case]


def test_need_without_resident_or_outside_scope_is_refused(world):
    need = NeedFactory(community=world.a["community"], created_by=world.alice)
    with pytest.raises(InvalidInput, match="没有关联居民"):
        services.case_open_from_need(
            actor=world.alice,
            need_id=need.pk,
            problem_type="other",
            risk_level="low",
            client_consent=True,
        )
    need_b = NeedFactory(resident=world.resident_b, created_by=world.charlie)
    with pytest.raises(NotFound):
        services.case_open_from_need(
            actor=world.alice,
            need_id=need_b.pk,
            problem_type="other",
            risk_level="low",
            client_consent=True,
        )


def test_need_source_requires_the_need(world):
    with pytest.raises(InvalidInput, match="来源"):
        open_case(world.alice, world.dora_resident, source=Case.Source.NEED)


def test_one_visit_opens_a_case_and_starts_several_benefit_tasks(world):
    visit = Visit.objects.create(
        resident=world.dora_resident, visitor=world.gina, visited_on=timezone.localdate()
    )
    case = open_case(world.alice, world.dora_resident, source=Case.Source.VISIT, visit_id=visit.pk)
    assert case.visit == visit
    tasks = services.benefit_tasks_start(
        actor=world.alice,
        case_id=case.pk,
        kinds=["dibao", "disability_card", "disability_subsidy"],
        visit_id=visit.pk,
    )
    assert {t.visit_id for t in tasks} == {visit.pk} and len(tasks) == 3
    other_visit = Visit.objects.create(
        resident=world.resident_b, visitor=world.charlie, visited_on=timezone.localdate()
    )
    with pytest.raises(InvalidInput, match="走访"):
        services.benefit_tasks_start(
            actor=world.alice, case_id=case.pk, kinds=["tekun"], visit_id=other_visit.pk
        )
