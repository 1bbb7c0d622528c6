"""Who sees a case, and which parts: the matrix over roles, with every read and refusal logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases import selectors, services
from shezhi.cases.models import CaseAccessLog, Stage
from shezhi.cases.tests.factories import log_session, open_case, to_stage
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.notifications.models import Notification
from shezhi.org.tests.factories import make_tree

pytestmark = pytest.mark.django_db

PARTS = {
    "summary": lambda a, c: selectors.case_get(actor=a, case_id=c),
    "assessment": lambda a, c: selectors.case_assessments(actor=a, case_id=c),
    "plan": lambda a, c: selectors.case_plan(actor=a, case_id=c),
    "sessions": lambda a, c: selectors.case_interventions(actor=a, case_id=c),
    "team": lambda a, c: selectors.case_team(actor=a, case_id=c),
    "crisis": lambda a, c: selectors.case_crises(actor=a, case_id=c),
    "referrals": lambda a, c: selectors.case_referrals(actor=a, case_id=c),
    "benefits": lambda a, c: selectors.case_benefit_tasks(actor=a, case_id=c),
    "reviews": lambda a, c: selectors.case_reviews(actor=a, case_id=c),
    "history": lambda a, c: selectors.case_history(actor=a, case_id=c),
    "supervision": lambda a, c: selectors.case_supervision_notes(actor=a, case_id=c),
    "access_log": lambda a, c: selectors.case_access_logs(actor=a, case_id=c),
}
FILE = {"summary", "assessment", "plan", "sessions", "team", "crisis", "referrals", "benefits"}
FILE |= {"reviews", "history"}
EXPECTED = {
    "worker": FILE | {"supervision"},
    "colleague": FILE,
    "counsellor": {"summary", "plan", "sessions"},
    "supervisor": FILE | {"supervision", "access_log"},
    "admin_emergency": FILE,
    # everyone else: not found, for every part
    "other_worker_same_community": set(),
    "worker_other_community": set(),
    "other_supervisor": set(),
    "admin": set(),
    "superuser": set(),
    "volunteer_outside_team": set(),
    "grid_worker": set(),
    "client": set(),
    "former_team_member": set(),
}


@pytest.fixture
def casefile(world):
    """Alice's case for Dora, in intervention, with a colleague, a counsellor, a supervision
    note, and an admin holding emergency access."""
    b2 = make_tree("C")
    people = {
        "worker": world.alice,
        "colleague": UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"]),
        "counsellor": UserFactory(role=Role.VOLUNTEER, unit=world.a["community"]),
        "supervisor": world.sam,
        "admin_emergency": UserFactory(role=Role.DISTRICT_ADMIN, unit=world.a["district"]),
        "other_worker_same_community": UserFactory(
            role=Role.SOCIAL_WORKER, unit=world.a["community"]
        ),
        "worker_other_community": world.charlie,
        "other_supervisor": UserFactory(role=Role.SUPERVISOR, unit=b2["street"]),
        "admin": world.admin,
        "superuser": UserFactory(role=Role.SYSTEM_ADMIN, is_superuser=True, is_staff=True),
        "volunteer_outside_team": world.bob,
        "grid_worker": world.gina,
        "client": world.dora,
        "former_team_member": UserFactory(role=Role.VOLUNTEER, unit=world.a["community"]),
    }
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    for who, role in (("colleague", "colleague"), ("counsellor", "counsellor")):
        services.team_add(actor=world.alice, case_id=case.pk, user_id=people[who].pk, role=role)
    former = services.team_add(
        actor=world.alice,
        case_id=case.pk,
        user_id=people["former_team_member"].pk,
        role="volunteer",
    )
    log_session(case, people["counsellor"], content="咨询师的会谈")
    log_session(case, world.alice, content="社工的面谈")
    services.supervision_note_add(actor=world.sam, case_id=case.pk, text="注意自我照顾")
    services.emergency_access_grant(
        actor=people["admin_emergency"], case_id=case.pk, reason="社工休假，案主出现危机"
    )
    # a member whose end date has passed
    former.started_on = timezone.localdate() - timedelta(days=10)
    former.ended_on = timezone.localdate() - timedelta(days=1)
    former.save()
    return case, people


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_confidentiality_matrix(casefile, who):
    case, people = casefile
    actor = people[who]
    for part, read in PARTS.items():
        before = CaseAccessLog.objects.filter(case_ref=case.pk, user=actor).count()
        if part in EXPECTED[who]:
            read(actor, case.pk)
            action = "read"
        elif EXPECTED[who]:
            with pytest.raises(Forbidden):
                read(actor, case.pk)
            action = "denied"
        else:
            with pytest.raises(NotFound, match="未找到该个案"):
                read(actor, case.pk)
            action = "denied"
        logs = CaseAccessLog.objects.filter(case_ref=case.pk, user=actor)
        # every read and every refusal leaves exactly one entry, naming the part
        assert logs.count() == before + 1, part
        assert logs.first().action == action, part
        if action == "read" or EXPECTED[who]:
            assert logs.first().part == part


def test_outsider_gets_the_same_not_found_as_a_missing_case(casefile):
    case, people = casefile
    outsider = people["other_worker_same_community"]
    with pytest.raises(NotFound) as hidden:
        selectors.case_get(actor=outsider, case_id=case.pk)
    with pytest.raises(NotFound) as missing:
        selectors.case_get(actor=outsider, case_id=case.pk + 1000)
    assert hidden.value.as_dict() == missing.value.as_dict()
    refused = CaseAccessLog.objects.filter(user=outsider, action="denied")
    assert set(refused.values_list("case_ref", flat=True)) == {case.pk, case.pk + 1000}


def test_outsider_writes_are_refused_as_not_found_and_logged(casefile):
    case, people = casefile
    outsider = people["other_worker_same_community"]
    with pytest.raises(NotFound):
        services.case_advance(actor=outsider, case_id=case.pk, to_status=Stage.EVALUATION)
    with pytest.raises(NotFound):
        log_session(case, outsider)
    assert CaseAccessLog.objects.filter(user=outsider, action="denied", case=case).count() == 2


def test_counsellor_sees_only_their_own_sessions(casefile):
    case, people = casefile
    own = selectors.case_interventions(actor=people["counsellor"], case_id=case.pk)
    assert [log.content for log in own] == ["咨询师的会谈"]
    everyone = selectors.case_interventions(actor=people["worker"], case_id=case.pk)
    assert {log.content for log in everyone} == {"咨询师的会谈", "社工的面谈"}


def test_emergency_access_expires_on_the_clock(casefile):
    case, people = casefile
    admin = people["admin_emergency"]
    grant = case.emergency_accesses.get(user=admin)
    assert grant.expires_at == grant.granted_at + timedelta(hours=4)
    selectors.case_get(actor=admin, case_id=case.pk, now=grant.expires_at - timedelta(minutes=1))
    with pytest.raises(NotFound):
        selectors.case_get(actor=admin, case_id=case.pk, now=grant.expires_at)
    with pytest.raises(NotFound):
        selectors.case_get(actor=admin, case_id=case.pk, now=grant.expires_at + timedelta(days=1))


def test_emergency_access_needs_reason_notifies_and_can_be_revoked(casefile, world):
    case, people = casefile
    admin = people["admin_emergency"]
    with pytest.raises(InvalidInput, match="理由"):
        services.emergency_access_grant(actor=admin, case_id=case.pk, reason="  ")
    with pytest.raises(InvalidInput, match="小时"):
        services.emergency_access_grant(actor=admin, case_id=case.pk, reason="危机", hours=500)
    with pytest.raises(Forbidden):
        services.emergency_access_grant(actor=world.alice, case_id=case.pk, reason="想看看")
    # an admin of another district cannot even ask for a case outside their units
    other = UserFactory(role=Role.DISTRICT_ADMIN, unit=world.b["district"])
    with pytest.raises(NotFound):
        services.emergency_access_grant(actor=other, case_id=case.pk, reason="危机")
    notices = Notification.objects.filter(kind=Notification.Kind.CASE_EMERGENCY_ACCESS)
    assert set(notices.values_list("recipient", flat=True)) == {world.sam.pk, world.alice.pk}
    for n in notices:
        # The case number and a link to it; never the client, nor the free-text reason.
        assert f"#{case.pk}" in n.title and n.link == f"/desk/cases/{case.pk}/"
        assert case.client.name not in n.title + n.body and "案主出现危机" not in n.body
    grant = case.emergency_accesses.get(user=admin)
    # an admin of another district cannot revoke it either (nor learn that it exists)
    with pytest.raises(NotFound):
        services.emergency_access_revoke(actor=other, grant_id=grant.pk)
    grant.refresh_from_db()
    assert grant.revoked_at is None
    services.emergency_access_revoke(actor=admin, grant_id=grant.pk)
    with pytest.raises(NotFound):
        selectors.case_get(actor=admin, case_id=case.pk)


def test_emergency_admin_cannot_write(casefile):
    case, people = casefile
    with pytest.raises(Forbidden):
        services.case_advance(
            actor=people["admin_emergency"], case_id=case.pk, to_status=Stage.EVALUATION
        )


def test_lists_show_only_own_cases_and_log_each(casefile, world):
    case, people = casefile
    open_case(people["other_worker_same_community"], world.dora_resident)
    mine = selectors.my_cases(actor=world.alice)
    assert mine == [case]
    assert CaseAccessLog.objects.filter(user=world.alice, action="list", case=case).count() == 1
    assert selectors.my_cases(actor=people["counsellor"]) == [case]
    assert selectors.my_cases(actor=people["former_team_member"]) == []
    visible = selectors.cases_visible_to(people["other_worker_same_community"])
    assert case not in visible
    assert case in selectors.cases_visible_to(world.sam)
    assert case not in selectors.cases_visible_to(people["other_supervisor"])
    assert case not in selectors.cases_visible_to(world.admin)


def test_export_is_watermarked_and_logged_and_limited_by_role(casefile):
    case, people = casefile
    text = selectors.case_export(actor=people["worker"], case_id=case.pk)
    assert text.startswith("【保密】导出人：") and "alice" in text
    assert "曾遭父亲殴打" in text  # the worker's export carries the assessment
    limited = selectors.case_export(actor=people["counsellor"], case_id=case.pk)
    assert "曾遭父亲殴打" not in limited and "社工的面谈" not in limited
    assert "咨询师的会谈" in limited
    exports = CaseAccessLog.objects.filter(case=case, action="export")
    assert exports.count() == 2
    with pytest.raises(NotFound):
        selectors.case_export(actor=people["admin"], case_id=case.pk)


def test_supervisor_reviews_the_access_trail(casefile):
    case, people = casefile
    with pytest.raises(NotFound):
        selectors.case_get(actor=people["other_worker_same_community"], case_id=case.pk)
    trail = selectors.case_access_logs(actor=people["supervisor"], case_id=case.pk)
    users = {log.user_id for log in trail}
    assert people["other_worker_same_community"].pk in users
    assert people["supervisor"].pk in users  # the supervisor's own reading is on the trail


def test_non_numeric_case_id_is_not_found(world):
    with pytest.raises(NotFound):
        selectors.case_get(actor=world.alice, case_id="abc")  # type: ignore[arg-type]


def test_case_files_are_not_in_the_admin_site():
    """Admins have no back door: no case model is registered in the Django admin."""
    from django.contrib import admin

    assert not [m for m in admin.site._registry if m._meta.app_label == "cases"]
