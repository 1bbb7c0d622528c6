"""Alerts: crisis triage, acknowledgement deadline and escalation on a controlled clock,
mandatory reporting, the overdue job, the contact person's today list and coverage."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.care import jobs, selectors, services
from shezhi.care.models import CareAlert, CareProfile, LexiconEntry
from shezhi.care.tests.factories import register
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.org.tests.factories import OrgUnitFactory
from shezhi.people.models import VulnerabilityTag
from shezhi.people.tests.factories import ResidentFactory

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 2, 29, 9, 0, tzinfo=TZ)


def crisis(world, text="我不想活了", resident=None, **kw):
    return services.scan_text(
        actor=world.gina,
        text=text,
        source_type="test",
        source_id="1",
        resident=resident or world.dora_resident,
        now=NOW,
        **kw,
    )


def test_ordinary_text_opens_no_alert(world):
    assert crisis(world, "楼道灯坏了") is None
    assert not CareAlert.objects.exists()


def test_signal_opens_a_crisis_alert_for_the_social_worker_within_30_minutes(world):
    alert = crisis(world)
    assert alert.kind == "crisis" and alert.status == "open"
    assert alert.assigned_to == world.alice
    assert alert.due_by == NOW + timedelta(minutes=30)
    assert alert.signals[0]["category"] == "suicide" and not alert.signals[0]["negated"]
    assert not alert.mandatory_report
    assert AuditEvent.objects.filter(object_type="care.carealert").exists()


def test_the_deadline_is_configurable(world, settings):
    settings.SHEZHI_CARE_CRISIS_ACK_MINUTES = 10
    assert crisis(world).due_by == NOW + timedelta(minutes=10)


def test_a_negated_signal_still_reaches_a_human(world):
    alert = crisis(world, "我不是不想活，就是累")
    assert alert is not None and alert.signals[0]["negated"]
    assert "人工判断" in alert.summary and "不是不想活" in alert.summary


def test_the_residents_social_worker_contact_takes_the_alert(world):
    colleague = UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"])
    services.contact_assign(
        actor=world.alice, resident_id=world.dora_resident.pk, contact_id=colleague.pk
    )
    assert crisis(world).assigned_to == colleague


def test_text_without_a_resident_goes_to_the_community(world):
    alert = services.scan_text(
        actor=world.charlie, text="隔壁有人家暴", source_type="need", source_id="9", now=NOW
    )
    assert alert.community == world.b["community"] and alert.assigned_to == world.charlie


def test_admin_lexicon_entries_extend_the_builtin_one(world):
    assert crisis(world, "他说要去卧轨") is None
    LexiconEntry.objects.create(term="卧轨", category="suicide", severity=3)
    LexiconEntry.objects.create(term="(a+)+", is_regex=True, category="suicide")  # bad: skipped
    assert crisis(world, "他说要去卧轨").category == "suicide"


def test_lexicon_entry_validation_reaches_the_admin_form(world):
    with pytest.raises(ValidationError) as exc:
        LexiconEntry(term="(a+)+$", is_regex=True, category="suicide", severity=3).full_clean()
    assert "卡死" in str(exc.value.message_dict["term"])
    with pytest.raises(ValidationError) as exc:
        LexiconEntry(term=" ", category="fall").full_clean()
    assert "term" in exc.value.message_dict
    entry = LexiconEntry(term=" 卧轨 ", category="suicide")
    entry.full_clean()
    assert entry.term == "卧轨"


def test_child_harm_carries_the_mandatory_report_until_recorded(world):
    alert = crisis(world, "邻居家孩子身上老有淤青")
    assert alert.mandatory_report and alert.category == "child_harm"
    with pytest.raises(Conflict, match="强制报告"):
        services.alert_close(
            actor=world.alice, alert_id=alert.pk, note="已核实", confirmed=True, now=NOW
        )
    with pytest.raises(InvalidInput):
        services.alert_record_report(actor=world.alice, alert_id=alert.pk, reported_to=" ")
    with pytest.raises(InvalidInput):
        services.alert_record_report(
            actor=world.alice,
            alert_id=alert.pk,
            reported_to="派出所",
            reported_at=NOW,
            now=NOW - timedelta(hours=1),
        )
    with pytest.raises(NotFound):
        services.alert_record_report(actor=world.charlie, alert_id=alert.pk, reported_to="派出所")
    services.alert_record_report(
        actor=world.alice,
        alert_id=alert.pk,
        reported_to="辖区派出所 李警官",
        reported_at=NOW,
        now=NOW,
    )
    closed = services.alert_close(
        actor=world.alice, alert_id=alert.pk, note="已报告并跟进", confirmed=True, now=NOW
    )
    assert closed.status == "closed" and closed.reported_to == "辖区派出所 李警官"


def test_report_on_an_alert_without_the_duty_is_a_conflict(world):
    alert = crisis(world)
    with pytest.raises(Conflict):
        services.alert_record_report(actor=world.alice, alert_id=alert.pk, reported_to="派出所")


def test_unacknowledged_alert_escalates_to_the_street_supervisor_after_the_deadline(world):
    alert = crisis(world)
    assert jobs.alerts_escalate(now=NOW + timedelta(minutes=29)) == 0
    assert jobs.alerts_escalate(now=NOW + timedelta(minutes=31)) == 1
    alert.refresh_from_db()
    assert alert.status == "escalated" and alert.escalated_to == world.sam
    assert alert.escalated_at == NOW + timedelta(minutes=31)
    assert jobs.alerts_escalate(now=NOW + timedelta(hours=2)) == 0  # only once
    assert alert in selectors.alerts_open(actor=world.sam)


def test_the_social_worker_is_told_at_once_and_the_supervisor_on_escalation(world):
    from shezhi.notifications.models import Notification

    alert = crisis(world)
    [told] = Notification.objects.filter(recipient=world.alice, kind="care_crisis")
    assert "30分钟内确认" in told.title and told.link == "/desk/care/alerts/"
    # The text may go out by SMS: no resident's name, nothing quoted from the note.
    assert world.dora_resident.name not in told.title + told.body
    assert "不想活" not in told.title + told.body
    jobs.alerts_escalate(now=NOW + timedelta(minutes=31))
    jobs.alerts_escalate(now=NOW + timedelta(minutes=32))
    [escalated] = Notification.objects.filter(recipient=world.sam, kind="care_escalated")
    assert f"#{alert.pk}" in escalated.title


def test_acknowledged_alert_does_not_escalate(world):
    alert = crisis(world)
    services.alert_acknowledge(actor=world.alice, alert_id=alert.pk, now=NOW + timedelta(minutes=5))
    assert jobs.alerts_escalate(now=NOW + timedelta(hours=1)) == 0
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == world.alice
    with pytest.raises(Conflict):
        services.alert_acknowledge(actor=world.alice, alert_id=alert.pk)


def test_escalation_without_a_supervisor_still_marks_the_alert(world):
    alert = services.scan_text(
        actor=world.charlie, text="我想死", source_type="t", source_id="1", now=NOW
    )
    jobs.alerts_escalate(now=NOW + timedelta(hours=1))
    alert.refresh_from_db()
    assert alert.status == "escalated" and alert.escalated_to is None


def test_outsider_cannot_see_or_acknowledge_an_alert(world):
    alert = crisis(world)
    with pytest.raises(NotFound):
        services.alert_acknowledge(actor=world.charlie, alert_id=alert.pk)
    with pytest.raises(NotFound):
        selectors.alert_get(actor=world.charlie, alert_id=alert.pk)
    assert not selectors.alerts_open(actor=world.charlie).exists()
    for stranger in (world.dora, world.bob):  # a resident, a volunteer not in charge
        with pytest.raises(NotFound):
            services.alert_acknowledge(actor=stranger, alert_id=alert.pk)


def test_grid_worker_sees_the_alert_but_only_managers_close_it(world):
    alert = crisis(world)
    assert selectors.alert_get(actor=world.gina, alert_id=alert.pk) == alert
    services.contact_assign(
        actor=world.alice, resident_id=world.dora_resident.pk, contact_id=world.bob.pk
    )
    alert.assigned_to = world.bob
    alert.save()
    with pytest.raises(Forbidden):
        services.alert_close(actor=world.bob, alert_id=alert.pk, note="已处理", confirmed=True)
    assert services.alert_acknowledge(actor=world.bob, alert_id=alert.pk).status == "acknowledged"


def test_alert_needs_a_note_to_close(world):
    alert = crisis(world)
    with pytest.raises(InvalidInput):
        services.alert_close(actor=world.alice, alert_id=alert.pk, note="", confirmed=True)
    with pytest.raises(InvalidInput, match="确认") as exc:
        services.alert_close(actor=world.alice, alert_id=alert.pk, note="已核实", confirmed=False)
    assert exc.value.field == "confirm"
    assert selectors.alert_get(actor=world.alice, alert_id=alert.pk).status != "closed"
    with pytest.raises(InvalidInput):
        selectors.alerts_open(actor=world.alice, kind="nonsense")


# --- the overdue job --------------------------------------------------------------------


@pytest.fixture
def registry(world):
    """Dora (high risk, seen 31 Jan) and a neighbour in another grid (key, seen 31 Jan)."""
    other_grid = OrgUnitFactory(level=5, parent=world.a["compound"], name="A二网格")
    neighbour = ResidentFactory(grid=other_grid)
    seen = datetime(2024, 1, 31, 9, 0, tzinfo=TZ)
    for resident, level in [(world.dora_resident, "high"), (neighbour, "key")]:
        register(world.alice, resident, level, now=seen)
        services.visit_log(
            actor=world.alice,
            resident_id=resident.pk,
            visited_on=date(2024, 1, 31),
            contact_made=True,
            now=seen,
        )
    return neighbour


def test_overdue_job_opens_one_alert_per_overdue_resident_and_is_idempotent(world, registry):
    # 29 Feb: Dora (weekly, due 7 Feb) is overdue; the neighbour (monthly, due 29 Feb) is not.
    result = jobs.overdue_compute(now=NOW)
    assert result.overdue_opened == 1
    assert list(CareAlert.objects.filter(kind="overdue").values_list("resident", flat=True)) == [
        world.dora_resident.pk
    ]
    assert jobs.overdue_compute(now=NOW).overdue_opened == 0
    # 1 March: the neighbour's leap-day due date has passed.
    assert jobs.overdue_compute(now=NOW + timedelta(days=1)).overdue_opened == 1


def test_overdue_alert_closes_itself_after_a_visit(world, registry):
    jobs.overdue_compute(now=NOW)
    services.visit_log(
        actor=world.gina,
        resident_id=world.dora_resident.pk,
        visited_on=date(2024, 2, 29),
        contact_made=True,
        now=NOW,
    )
    result = jobs.overdue_compute(now=NOW)
    assert result.overdue_closed == 1
    assert not CareAlert.objects.filter(kind="overdue", status="open").exists()


def test_major_change_past_24_hours_is_overdue(world, registry):
    services.care_profile_set(
        actor=world.alice,
        resident_id=registry.pk,
        risk_level="high",
        risk_reasons="出院",
        major_change="出院",
        now=NOW - timedelta(hours=25),
    )
    result = jobs.overdue_compute(now=NOW)
    assert result.overdue_opened == 2


def test_tagged_resident_without_contact_person_is_an_alert(world):
    tagged = ResidentFactory(grid=world.a["grid"])
    tagged.tags.add(VulnerabilityTag.objects.get(code="living_alone"))
    register(world.alice, world.dora_resident)
    result = jobs.overdue_compute(now=NOW)
    assert result.no_contact_opened == 2
    assert jobs.overdue_compute(now=NOW).no_contact_opened == 0
    services.contact_assign(actor=world.alice, resident_id=tagged.pk, contact_id=world.gina.pk)
    tagged.tags.clear()
    jobs.overdue_compute(now=NOW)
    assert CareAlert.objects.filter(kind="no_contact_person", status="open").count() == 1


def test_overdue_job_runs_in_a_fixed_number_of_queries(
    world, registry, django_assert_max_num_queries
):
    for _ in range(5):
        ResidentFactory(grid=world.a["grid"]).tags.add(VulnerabilityTag.objects.first())
    with django_assert_max_num_queries(12):
        jobs.overdue_compute(now=NOW)


# --- today list and coverage ------------------------------------------------------------


def test_today_list_shows_the_contact_persons_due_residents_urgent_first(world, registry):
    for resident in (world.dora_resident, registry):
        services.contact_assign(actor=world.alice, resident_id=resident.pk, contact_id=world.bob.pk)
    listed = list(selectors.today_list(actor=world.bob, today=date(2024, 2, 29)))
    assert [p.resident_id for p in listed] == [world.dora_resident.pk, registry.pk]
    assert list(selectors.today_list(actor=world.erin, today=date(2024, 2, 29))) == []
    assert [
        p.resident_id for p in selectors.today_list(actor=world.bob, today=date(2024, 2, 1))
    ] == []


def test_coverage_by_grid_compound_and_community(world, registry):
    by_grid = selectors.coverage(actor=world.sam, by="grid", today=date(2024, 2, 29))
    assert [(r.unit_name, r.registered, r.covered) for r in by_grid] == [
        ("A网格", 1, 0),
        ("A二网格", 1, 1),
    ]
    [community] = selectors.coverage(actor=world.sam, by="community", today=date(2024, 2, 29))
    assert (community.registered, community.covered, community.share) == (2, 1, 0.5)
    [compound] = selectors.coverage(actor=world.alice, by="compound", today=date(2024, 2, 29))
    assert compound.share == 0.5
    assert selectors.coverage(actor=world.charlie, by="grid") == []
    [mine] = selectors.coverage(actor=world.gina, by="grid", today=date(2024, 2, 29))
    assert mine.unit_name == "A网格"
    with pytest.raises(InvalidInput):
        selectors.coverage(actor=world.sam, by="street")


def test_overdue_longest_lists_the_longest_overdue_first(world, registry):
    rows = list(selectors.overdue_longest(actor=world.sam, today=date(2024, 3, 10)))
    assert [r.resident_id for r in rows] == [world.dora_resident.pk, registry.pk]
    assert list(selectors.overdue_longest(actor=world.charlie, today=date(2024, 3, 10))) == []
    assert CareProfile.objects.count() == 2
