"""One rule, four readers: for every named user and every stage of a case whose answers
differ (intake, intervention, closed), what `case_actions_for` answers is what the case page
shows as buttons, what the API returns as `allowed_actions`, and what the services accept (each
probe rolled back) — for the case itself and for its rows (a referral, a benefits application,
a crisis protocol, a team member)."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases import selectors, services
from shezhi.cases.models import (
    BenefitTask,
    Case,
    CaseTeamMember,
    CrisisIntervention,
    Referral,
    Stage,
)
from shezhi.cases.permissions import CaseAction, case_actions_for
from shezhi.cases.tests.factories import assess, log_session, open_case, to_stage
from shezhi.core.errors import Conflict, DomainError, ErrorCode, Forbidden, NotFound

# The button on the case page for each case-level action.
PAGE_LINKS = {
    CaseAction.RECORD_CONSENT: "cases:consent",
    CaseAction.ADVANCE: "cases:advance",
    CaseAction.ASSESS: "cases:assessment",
    CaseAction.PLAN: "cases:plan",
    CaseAction.REFER: "cases:referral_new",
    CaseAction.START_BENEFITS: "cases:benefits_new",
    CaseAction.CLOSE: "cases:close",
    CaseAction.LOG_SESSION: "cases:intervention",
    CaseAction.ADD_MEMBER: "cases:team_add",
    CaseAction.REVIEW: "cases:review",
    CaseAction.REOPEN: "cases:reopen",
    CaseAction.SUPERVISE: "cases:supervision_note",
    CaseAction.VIEW_ACCESS_LOG: "cases:access_log",
    CaseAction.EXPORT: "cases:export",
}

Probe = Callable[[Any, Case, Any], object]

# One call of the service behind each action, with input good enough to get past validation.
PROBES: dict[CaseAction, Probe] = {
    CaseAction.RECORD_CONSENT: lambda u, c, w: services.case_record_consent(
        actor=u, case_id=c.pk, client_consent=True
    ),
    CaseAction.ADVANCE: lambda u, c, w: services.case_advance(
        actor=u, case_id=c.pk, to_status=Stage.ASSESSMENT
    ),
    CaseAction.ASSESS: lambda u, c, w: assess(c, u),
    CaseAction.REFER: lambda u, c, w: services.referral_create(
        actor=u,
        case_id=c.pk,
        institution_kind="hospital",
        institution_name="市一医院",
        reason="就医",
    ),
    CaseAction.START_BENEFITS: lambda u, c, w: services.benefit_tasks_start(
        actor=u, case_id=c.pk, kinds=["dibao"]
    ),
    CaseAction.START_CRISIS: lambda u, c, w: services.crisis_start(actor=u, case_id=c.pk),
    CaseAction.CLOSE: lambda u, c, w: services.case_close(
        actor=u, case_id=c.pk, reason="client_withdrew", outcome="partly"
    ),
    CaseAction.LOG_SESSION: lambda u, c, w: log_session(c, u, on=timezone.localdate()),
    CaseAction.ADD_MEMBER: lambda u, c, w: services.team_add(
        actor=u, case_id=c.pk, user_id=w.bob.pk, role="volunteer"
    ),
    CaseAction.REVIEW: lambda u, c, w: services.case_review(
        actor=u, case_id=c.pk, risk_level="medium"
    ),
    CaseAction.REOPEN: lambda u, c, w: services.case_reopen(actor=u, case_id=c.pk, reason="复发"),
    CaseAction.SUPERVISE: lambda u, c, w: services.supervision_note_add(
        actor=u, case_id=c.pk, text="注意安全"
    ),
    CaseAction.VIEW_ACCESS_LOG: lambda u, c, w: selectors.case_access_logs(actor=u, case_id=c.pk),
    CaseAction.EXPORT: lambda u, c, w: selectors.case_export(actor=u, case_id=c.pk),
}


def _row(model: Any, case: Case, **match: Any) -> Any:
    return model.objects.filter(case=case, **match).order_by("id").first()


# One call of the service behind each action on one of the case's rows. The rows are made by
# `_cases`; each probe asks for the next step of its row, so only the rule can refuse it.
ROW_PROBES: dict[CaseAction, Probe] = {
    CaseAction.UPDATE_REFERRAL: lambda u, c, w: services.referral_advance(
        actor=u, referral_id=_row(Referral, c).pk, to_status=Referral.Status.RECEIVED
    ),
    CaseAction.UPDATE_BENEFIT: lambda u, c, w: services.benefit_task_set_status(
        actor=u, task_id=_row(BenefitTask, c).pk, status=BenefitTask.Status.SUBMITTED
    ),
    CaseAction.WORK_CRISIS: lambda u, c, w: services.crisis_step_done(
        actor=u,
        crisis_id=_row(CrisisIntervention, c).pk,
        step=_row(CrisisIntervention, c).steps[0]["code"],
    ),
    CaseAction.END_MEMBER: lambda u, c, w: services.team_end(
        actor=u, member_id=_row(CaseTeamMember, c, user=w.erin).pk
    ),
}
# The row's button on the case page (the crisis protocol is worked on its own page).
ROW_FORMS: dict[CaseAction, Callable[[Case, Any], str]] = {
    CaseAction.UPDATE_REFERRAL: lambda c, w: reverse(
        "cases:referral_status", args=[_row(Referral, c).pk]
    ),
    CaseAction.UPDATE_BENEFIT: lambda c, w: reverse(
        "cases:benefit_status", args=[_row(BenefitTask, c).pk]
    ),
    CaseAction.END_MEMBER: lambda c, w: reverse(
        "cases:team_end", args=[_row(CaseTeamMember, c, user=w.erin).pk]
    ),
}


def _accepted(probe: Probe, user: Any, case: Case, world: Any) -> bool:
    """Whether the service lets the user do it: a refusal is 403, 404 or a state refusal;
    anything else (success, or a complaint about the input) got past the permission rule."""
    with transaction.atomic():
        try:
            probe(user, case, world)
        except (Forbidden, NotFound):
            return False
        except Conflict as exc:
            if exc.code == ErrorCode.ILLEGAL_TRANSITION:
                return False
        except DomainError:
            pass
        finally:
            transaction.set_rollback(True)
    return True


def _cases(world: Any, colleague: Any) -> dict[str, Case]:
    def staffed(case: Case) -> Case:
        services.team_add(
            actor=world.alice, case_id=case.pk, user_id=colleague.pk, role="colleague"
        )
        services.team_add(
            actor=world.alice, case_id=case.pk, user_id=world.erin.pk, role="volunteer"
        )
        services.emergency_access_grant(actor=world.admin, case_id=case.pk, reason="演练", hours=2)
        services.referral_create(
            actor=world.alice,
            case_id=case.pk,
            institution_kind="hospital",
            institution_name="市一医院",
            reason="就医",
        )
        services.benefit_tasks_start(actor=world.alice, case_id=case.pk, kinds=["dibao"])
        services.crisis_start(actor=world.alice, case_id=case.pk)
        return case

    client = world.dora_resident
    closed = staffed(open_case(world.alice, client))
    services.case_close(
        actor=world.alice, case_id=closed.pk, reason="client_withdrew", outcome="partly"
    )
    return {
        Stage.INTAKE: staffed(open_case(world.alice, client)),
        Stage.INTERVENTION: to_stage(
            staffed(open_case(world.alice, client)), world.alice, "intervention"
        ),
        Stage.CLOSED: closed,
    }


def test_selector_page_api_and_services_agree_for_every_user_and_stage(world):
    colleague = UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"])
    users = {
        "alice (worker)": world.alice,
        "sam (supervisor)": world.sam,
        "a colleague on the team": colleague,
        "gina (grid worker)": world.gina,
        "erin (volunteer on the team)": world.erin,
        "admin (emergency access)": world.admin,
        "charlie (outsider)": world.charlie,
        "bob": world.bob,
        "dora (the client)": world.dora,
        "partner": world.partner_user,
    }
    cases = _cases(world, colleague)
    seen_actions: set[CaseAction] = set()
    for stage, case in cases.items():
        case.refresh_from_db()
        assert case.status == stage
        for who, user in users.items():
            label = f"{who} / {stage}"
            try:
                expected = case_actions_for(selectors.case_access(actor=user, case_id=case.pk))
            except NotFound:
                expected = None
            client = Client()
            client.force_login(user)
            page = client.get(reverse("cases:detail", args=[case.pk]))
            api = client.get(f"/api/v1/cases/{case.pk}")
            if expected is None:
                assert page.status_code == 404 and api.status_code == 404, label
                assert not _accepted(PROBES[CaseAction.EXPORT], user, case, world), label
                continue
            seen_actions |= expected
            html = page.content.decode()
            shown = {
                a
                for a, name in PAGE_LINKS.items()
                if f'href="{reverse(name, args=[case.pk])}"' in html
            }
            assert shown == expected & PAGE_LINKS.keys(), label
            assert api.json()["allowed_actions"] == sorted(expected), label
            accepted = {a for a, probe in PROBES.items() if _accepted(probe, user, case, world)}
            assert accepted == expected & PROBES.keys(), label
            rows = {a for a, probe in ROW_PROBES.items() if _accepted(probe, user, case, world)}
            assert rows == expected & ROW_PROBES.keys(), f"{label}: rows"
            forms = {a for a, url in ROW_FORMS.items() if f'action="{url(case, world)}"' in html}
            assert forms == expected & ROW_FORMS.keys(), f"{label}: row forms"
    # The walk reaches every kind of answer: nobody, the file, the supervisor, a team member.
    assert {CaseAction.REOPEN, CaseAction.SUPERVISE, CaseAction.LOG_SESSION} <= seen_actions
    assert ROW_PROBES.keys() <= seen_actions
