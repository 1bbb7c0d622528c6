"""Supervisor views, supervision notes and the aggregate report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases import selectors, services
from shezhi.cases.models import CaseAccessLog, Stage
from shezhi.cases.tests.factories import open_case, to_stage
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.org.tests.factories import make_tree
from shezhi.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseload(world):
    colleague = UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"], display_name="小林")
    r2 = ResidentFactory(grid=world.a["grid"], name="甲某")
    r3 = ResidentFactory(grid=world.b["grid"], name="乙某")
    old = timezone.localdate() - timedelta(days=20)
    cases = {
        "overdue": open_case(world.alice, world.dora_resident, risk_level="urgent", opened_on=old),
        "high": open_case(world.alice, r2, risk_level="high", problem_type="mental_health"),
        "low": open_case(colleague, r2, risk_level="low"),
        "other_street": open_case(world.charlie, r3, risk_level="urgent"),
    }
    return cases, colleague


def test_caseloads_of_supervised_workers_only(world, caseload):
    cases, colleague = caseload
    rows = {r.worker_id: r for r in selectors.supervised_caseloads(actor=world.sam)}
    assert set(rows) == {world.alice.pk, colleague.pk}
    assert (rows[world.alice.pk].open_cases, rows[world.alice.pk].high_risk) == (2, 2)
    assert rows[world.alice.pk].overdue_reviews == 1
    assert rows[colleague.pk].open_cases == 1


def test_overdue_and_high_risk_lists_are_logged(world, caseload):
    cases, _ = caseload
    assert selectors.overdue_reviews(actor=world.sam) == [cases["overdue"]]
    high = selectors.high_risk_cases(actor=world.sam)
    assert set(high) == {cases["overdue"], cases["high"]}
    logged = CaseAccessLog.objects.filter(user=world.sam, action="list")
    assert set(logged.values_list("case_id", flat=True)) == {cases["overdue"].pk, cases["high"].pk}


def test_reviewing_clears_an_overdue_review(world, caseload):
    cases, _ = caseload
    services.case_review(actor=world.sam, case_id=cases["overdue"].pk, risk_level="high")
    assert selectors.overdue_reviews(actor=world.sam) == []


def test_supervisor_views_refuse_non_supervisors(world, caseload):
    for actor in (world.alice, world.admin, world.bob):
        with pytest.raises(Forbidden):
            selectors.supervised_caseloads(actor=actor)
        with pytest.raises(Forbidden):
            selectors.overdue_reviews(actor=actor)


def test_supervisor_of_another_street_sees_nothing_of_ours(world, caseload):
    cases, _ = caseload
    other = UserFactory(role=Role.SUPERVISOR, unit=world.b["street"])
    assert {r.worker_id for r in selectors.supervised_caseloads(actor=other)} == {world.charlie.pk}
    assert selectors.high_risk_cases(actor=other) == [cases["other_street"]]


def test_supervision_note_seen_by_worker_not_by_team(world, caseload):
    cases, colleague = caseload
    case = cases["high"]
    services.team_add(actor=world.alice, case_id=case.pk, user_id=colleague.pk, role="colleague")
    services.supervision_note_add(actor=world.sam, case_id=case.pk, text="建议转介精神科")
    notes = selectors.case_supervision_notes(actor=world.alice, case_id=case.pk)
    assert [n.text for n in notes] == ["建议转介精神科"]
    with pytest.raises(Forbidden):
        selectors.case_supervision_notes(actor=colleague, case_id=case.pk)
    with pytest.raises(Forbidden, match="督导"):
        services.supervision_note_add(actor=world.alice, case_id=case.pk, text="我自己写")
    with pytest.raises(InvalidInput):
        services.supervision_note_add(actor=world.sam, case_id=case.pk, text="")


def test_station_supervisor_at_community_level_supervises_too(world, caseload):
    cases, _ = caseload
    community_sup = UserFactory(role=Role.SUPERVISOR, unit=world.a["community"])
    assert selectors.case_get(actor=community_sup, case_id=cases["high"].pk).is_supervisor
    # a supervisor below the worker's unit is not above them
    grid_sup = UserFactory(role=Role.SUPERVISOR, unit=world.a["grid"])
    with pytest.raises(NotFound):
        selectors.case_get(actor=grid_sup, case_id=cases["high"].pk)


def test_inactive_supervisor_sees_nothing(world, caseload):
    cases, _ = caseload
    world.sam.is_active = False
    world.sam.save()
    with pytest.raises(NotFound):
        selectors.case_get(actor=world.sam, case_id=cases["high"].pk)


def test_aggregate_report_has_counts_and_no_personal_data(world, caseload):
    cases, colleague = caseload
    to_stage(cases["low"], colleague, Stage.INTERVENTION)
    services.case_close(actor=colleague, case_id=cases["low"].pk, reason="moved", outcome="partly")
    by_worker = selectors.case_report(actor=world.sam, by="worker")
    assert {(r.key, r.total, r.open, r.closed) for r in by_worker} == {
        (str(world.alice.pk), 2, 2, 0),
        (str(colleague.pk), 1, 0, 1),
    }
    by_problem = selectors.case_report(actor=world.sam, by="problem_type")
    assert {r.key: r.total for r in by_problem} == {"family": 2, "mental_health": 1}
    by_outcome = selectors.case_report(actor=world.sam, by="outcome")
    assert [(r.key, r.total) for r in by_outcome] == [("partly", 1)]
    by_community = selectors.case_report(actor=world.admin, by="community")
    assert {r.label: r.total for r in by_community} == {"A社区": 3, "B社区": 1}
    text = repr([*by_worker, *by_problem, *by_outcome, *by_community])
    for personal in ("朵拉", "甲某", "乙某", world.dora_resident.id_number):
        assert personal not in text
    # aggregates read no case file, so they leave no access log
    assert not CaseAccessLog.objects.filter(user=world.admin).exists()
    with pytest.raises(InvalidInput):
        selectors.case_report(actor=world.sam, by="client")
    with pytest.raises(Forbidden):
        selectors.case_report(actor=world.bob, by="worker")


def test_report_is_scoped_to_the_actors_units(world, caseload):
    other_street_admin = UserFactory(role=Role.STREET_ADMIN, unit=make_tree("Z")["street"])
    assert selectors.case_report(actor=other_street_admin, by="community") == []


def test_report_counts_benefit_applications_without_personal_data(world, caseload, client):
    from shezhi.cases.models import BenefitTask

    cases, _ = caseload
    for case, kind, status in (
        (cases["high"], "dibao", "submitted"),
        (cases["overdue"], "dibao", "approved"),
        (cases["high"], "disability_card", "todo"),
        (cases["other_street"], "dibao", "todo"),
    ):
        BenefitTask.objects.create(case=case, kind=kind, status=status, created_by=world.alice)
    rows = {r.kind: r for r in selectors.benefit_report(actor=world.sam)}
    assert rows["dibao"].total == 2 and rows["dibao"].by_status["approved"] == 1
    assert rows["disability_card"].by_status == {
        "todo": 1,
        "submitted": 0,
        "approved": 0,
        "rejected": 0,
    }
    assert {r.kind: r.total for r in selectors.benefit_report(actor=world.charlie)} == {"dibao": 1}
    with pytest.raises(Forbidden):
        selectors.benefit_report(actor=world.bob)
    client.force_login(world.sam)
    page = client.get("/desk/cases/report/").content.decode()
    assert 'data-testid="benefit-report"' in page and "低保" in page
    for personal in ("朵拉", "甲某", world.dora_resident.id_number):
        assert personal not in page
    assert not CaseAccessLog.objects.filter(user=world.sam).exists()
