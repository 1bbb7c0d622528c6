"""Everything a role can do on the desk or mobile pages it can do through /api/v1.

`WRITES` maps each page that accepts a POST (found by walking the URL conf) to the API operation
doing the same through the same service. A page that accepts POST but only reads is in `READS`;
pages that are not domain actions are in `NOT_DOMAIN`. A gap is allowed only in `PENDING`, with
the reason, while another branch adds it. A new page write with no API operation fails here."""

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from shezhi.api.api import api

# page (URL name) → (method, API path under /api/v1)
WRITES: dict[str, tuple[str, str]] = {
    # proofs (the verification page is public; so is its API operation)
    "proofs:mine": ("POST", "/proofs"),
    "proofs:verify": ("POST", "/proofs/{proof_no}/verify"),
    "proofs:verify_file": ("POST", "/proofs/verify-file"),
    # needs: resident, helper, desk
    "m:home": ("POST", "/needs"),
    "m:rate": ("POST", "/needs/{need_id}/rate"),
    "m:cancel": ("POST", "/needs/{need_id}/cancel"),
    "m:accept": ("POST", "/needs/{need_id}/accept"),
    "m:decline": ("POST", "/needs/{need_id}/return"),
    "m:start": ("POST", "/needs/{need_id}/start"),
    "m:complete": ("POST", "/needs/{need_id}/complete"),
    "desk:need_new": ("POST", "/needs"),
    "desk:dispatch": ("POST", "/needs/{need_id}/dispatch"),
    "desk:cancel": ("POST", "/needs/{need_id}/cancel"),
    "desk:unresolvable": ("POST", "/needs/{need_id}/unresolvable"),
    "desk:review": ("POST", "/needs/{need_id}/review"),
    "desk:edit": ("PATCH", "/needs/{need_id}"),
    "desk:dispatch_bulk": ("POST", "/dispatch/confirm"),
    "desk:reveal": ("POST", "/residents/{resident_id}/reveal"),
    "desk:waive_start": ("POST", "/needs/{need_id}/waive-start-window"),
    "desk:resident_sms": ("PATCH", "/residents/{resident_id}"),
    "m:behalf_order": ("POST", "/needs"),
    "m:elder_mode": ("PATCH", "/me"),
    "inbox:preferences": ("PUT", "/notifications/preferences"),
    # activities organised on the desk (team leaders too)
    "activities:desk_new": ("POST", "/activities"),
    "activities:edit": ("PATCH", "/activities/{activity_id}"),
    "activities:cancel_activity": ("POST", "/activities/{activity_id}/cancel"),
    "activities:publish": ("POST", "/activities/{activity_id}/publish"),
    "activities:insurance": ("POST", "/activities/signups/{signup_id}/insurance"),
    "activities:summary": ("PUT", "/activities/{activity_id}/summary"),
    "activities:summary_photo": ("POST", "/activities/{activity_id}/summary/photos"),
    "activities:summary_photo_delete": (
        "DELETE",
        "/activities/{activity_id}/summary/photos/{photo_id}",
    ),
    # residents' data rights
    "privacy:mine": ("POST", "/privacy/requests"),
    "privacy:desk_resident": ("POST", "/privacy/requests"),
    "privacy:desk_detail": ("POST", "/privacy/requests/{request_id}/answer"),
    # volunteers, records, corrections, teams
    "m:me_correct": ("POST", "/corrections"),
    "m:team_apply": ("POST", "/teams"),
    "m:team_join": ("POST", "/teams/{team_id}/join"),
    "m:team_leave": ("POST", "/teams/{team_id}/leave"),
    "m:team_role": ("POST", "/teams/{team_id}/role"),
    "desk:late_decide": ("POST", "/service-records/{record_id}/approve-late"),
    "desk:held_confirm": ("POST", "/service-records/{record_id}/confirm"),
    "desk:held_reject": ("POST", "/service-records/{record_id}/reject"),
    "desk:correction_decide": ("POST", "/corrections/{request_id}/decide"),
    "desk:team_review": ("POST", "/teams/{team_id}/review"),
    "desk:team_apply": ("POST", "/teams"),
    "desk:team_join": ("POST", "/teams/{team_id}/join"),
    "desk:team_add": ("POST", "/teams/{team_id}/join"),
    "m:team_add": ("POST", "/teams/{team_id}/join"),
    "desk:team_leave": ("POST", "/teams/{team_id}/leave"),
    "desk:team_role": ("POST", "/teams/{team_id}/role"),
    "desk:record_new": ("POST", "/service-records"),
    "desk:volunteer_new": ("POST", "/volunteers"),
    "desk:volunteer_training": ("POST", "/volunteers/{volunteer_id}/trainings"),
    "desk:volunteer_honour": ("POST", "/volunteers/{volunteer_id}/honours"),
    "desk:volunteer_skills": ("PUT", "/volunteers/{volunteer_id}/skills"),
    "desk:import_upload": ("POST", "/imports"),
    # time bank
    "timebank:spend": ("POST", "/timebank/accounts/{account_id}/spend"),
    "timebank:transfer": ("POST", "/timebank/accounts/{account_id}/transfer"),
    "timebank:relative": ("POST", "/timebank/accounts/{account_id}/relatives"),
    "timebank:deposit": ("POST", "/timebank/deposits"),
    "timebank:review": ("POST", "/timebank/deposits/{deposit_id}/review"),
    "timebank:reverse": ("POST", "/timebank/deposits/{deposit_id}/reverse"),
    # activities
    "activities:sign_up": ("POST", "/activities/positions/{position_id}/signups"),
    "activities:cancel": ("POST", "/activities/signups/{signup_id}/cancel"),
    "activities:checkin": ("POST", "/activities/{activity_id}/checkin"),
    "activities:checkout": ("POST", "/activities/{activity_id}/checkout"),
    "activities:decide": ("POST", "/activities/signups/{signup_id}/decide"),
    "activities:manual_checkin": ("POST", "/activities/signups/{signup_id}/manual-checkin"),
    "activities:close": ("POST", "/activities/{activity_id}/close-checkouts"),
    "activities:confirm": ("POST", "/activities/{activity_id}/confirm"),
    "activities:beneficiary": ("POST", "/activities/{activity_id}/beneficiaries"),
    "activities:headcount": ("POST", "/activities/{activity_id}/headcount"),
    "activities:bulk": ("POST", "/activities/positions/{position_id}/bulk-signups"),
    "activities:rate": ("POST", "/activities/{activity_id}/ratings"),
    # inbox
    "inbox:read_all": ("POST", "/notifications/read-all"),
    "inbox:open": ("POST", "/notifications/{notification_id}/read"),
    "inbox:read": ("POST", "/notifications/{notification_id}/read"),
    # care
    "care:visit": ("POST", "/care/residents/{resident_id}/visits"),
    "care:stop_record": ("POST", "/care/stops/{stop_id}"),
    "care:profile_set": ("POST", "/care/residents/{resident_id}/profile"),
    "care:contact_assign": ("POST", "/care/residents/{resident_id}/contacts"),
    "care:contact_end": ("POST", "/care/contacts/{assignment_id}/end"),
    "care:alert_ack": ("POST", "/care/alerts/{alert_id}/acknowledge"),
    "care:alert_report": ("POST", "/care/alerts/{alert_id}/report"),
    "care:alert_close": ("POST", "/care/alerts/{alert_id}/close"),
    "care:campaigns": ("POST", "/care/campaigns"),
    # cases
    "cases:new": ("POST", "/cases"),
    "cases:emergency": ("POST", "/cases/emergency"),
    "cases:emergency_revoke": ("POST", "/cases/emergency/{grant_id}/revoke"),
    "cases:consent": ("POST", "/cases/{case_id}/consent"),
    "cases:advance": ("POST", "/cases/{case_id}/advance"),
    "cases:assessment": ("POST", "/cases/{case_id}/assessments"),
    "cases:plan": ("POST", "/cases/{case_id}/plans"),
    "cases:intervention": ("POST", "/cases/{case_id}/interventions"),
    "cases:team_add": ("POST", "/cases/{case_id}/team"),
    "cases:team_end": ("POST", "/cases/team/{member_id}/end"),
    "cases:review": ("POST", "/cases/{case_id}/reviews"),
    "cases:close": ("POST", "/cases/{case_id}/close"),
    "cases:reopen": ("POST", "/cases/{case_id}/reopen"),
    "cases:supervision_note": ("POST", "/cases/{case_id}/supervision-notes"),
    "cases:referral_new": ("POST", "/cases/{case_id}/referrals"),
    "cases:referral_status": ("POST", "/cases/referrals/{referral_id}/status"),
    "cases:benefits_new": ("POST", "/cases/{case_id}/benefits"),
    "cases:benefit_status": ("POST", "/cases/benefits/{task_id}/status"),
    "cases:crisis": ("POST", "/cases/{case_id}/crises"),
    "cases:crisis_step": ("POST", "/cases/crises/{crisis_id}/steps"),
    "cases:crisis_safety_plan": ("POST", "/cases/crises/{crisis_id}/safety-plan"),
    "cases:crisis_end": ("POST", "/cases/crises/{crisis_id}/end"),
    # reports
    "reports:new": ("POST", "/reports"),
    "reports:detail": ("PUT", "/reports/{report_id}"),
    "reports:issue": ("POST", "/reports/{report_id}/issue"),
}

# Pages that take any method but have no POST branch: reading only (their reads have GET
# operations or are page furniture).
READS = {
    "home",
    "m:my_needs",
    "m:need",
    "m:orders",
    "m:order",
    "m:hours",
    "m:me",
    "m:me_record",
    "m:team",
    "desk:home",
    "desk:needs",
    "desk:need",
    "desk:residents",
    "desk:resident",
    "desk:records",
    "desk:record",
    "desk:late_records",
    "desk:held_records",
    "m:behalf",
    "desk:corrections",
    "desk:teams",
    "desk:team",
    "desk:volunteers",
    "desk:volunteer",
}

# Not a domain action: the browser's language, the session log-in/out and the account's own
# log-in security (password, two-step code), bound to the session (the API takes a
# session or a bearer token instead).
NOT_DOMAIN = {"set_language", "login", "logout", "password_change", "otp_setup", "otp_verify"}

# Known gaps, each with why it is not here yet; only while another branch adds the operation.
PENDING: dict[str, str] = {}


def _methods(view: Callable[..., Any]) -> set[str] | None:
    """The methods a view allows by `require_http_methods` (and its GET/POST shorthands), or
    None if it takes any method."""
    seen: set[int] = set()
    f: Any = view
    while f is not None and id(f) not in seen:
        seen.add(id(f))
        for cell in getattr(f, "__closure__", None) or ():
            try:
                v = cell.cell_contents
            except ValueError:
                continue
            if isinstance(v, list) and v and all(isinstance(x, str) and x.isupper() for x in v):
                return set(v)
        f = getattr(f, "__wrapped__", None)
    return None


def _pages(patterns: list[Any], ns: str = "") -> Iterator[tuple[str, str, Callable[..., Any]]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from ((f"{str(p.pattern)}{r}", n, v) for r, n, v in _pages(p.url_patterns, inner))
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns else (p.name or "")
            yield str(p.pattern), name, p.callback


def _post_pages() -> set[str]:
    out = set()
    for route, name, view in _pages(get_resolver().url_patterns):
        if route.startswith(("api/", "admin/")):
            continue
        methods = _methods(view)
        if methods is None or "POST" in methods:
            out.add(name)
    return out


@cache
def _api_operations() -> frozenset[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return frozenset(
        (method.upper(), path.removeprefix("/api/v1"))
        for path, ops in schema["paths"].items()
        for method in ops
    )


def test_every_page_write_is_classified():
    pages = _post_pages()
    known = set(WRITES) | READS | NOT_DOMAIN | set(PENDING)
    assert not pages - known, f"page writes without an API operation: {sorted(pages - known)}"
    assert not known - pages, f"stale entries (no such POST page): {sorted(known - pages)}"


def test_the_lists_do_not_overlap():
    assert not set(WRITES) & (READS | NOT_DOMAIN | set(PENDING))
    assert not READS & (NOT_DOMAIN | set(PENDING))
    assert all(PENDING.values())


@pytest.mark.parametrize("page", sorted(WRITES))
def test_each_page_write_has_its_api_operation(page):
    assert WRITES[page] in _api_operations(), f"{page}: {WRITES[page]} not in /api/schema/"


def test_pending_ones_are_really_missing():
    """Once an operation lands, its page moves from PENDING to WRITES."""
    ops = _api_operations()
    # None pending now; while a page is in PENDING, put its likely operation here.
    guesses: dict[str, tuple[str, str]] = {}
    assert set(guesses) <= set(PENDING)
    landed = [page for page, op in guesses.items() if op in ops]
    assert not landed, f"move from PENDING to WRITES: {landed}"


def test_proof_verification_is_anonymous_and_the_rest_needs_a_login():
    schema = api.get_openapi_schema()
    verify = schema["paths"]["/api/v1/proofs/{proof_no}/verify"]
    assert "security" not in verify["get"] and "security" not in verify["post"]
    assert "security" not in schema["paths"]["/api/v1/proofs/verify-file"]["post"]
    assert schema["paths"]["/api/v1/proofs"]["post"]["security"]
