"""The demo seeder: deterministic, valid data, every need status, working demo log-ins."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest
from django.test import Client, override_settings
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.activities import after
from shezhi.activities.models import Activity, Rating, SignUp, Summary
from shezhi.care import selectors as care_selectors
from shezhi.care.models import Campaign, CareAlert, CareProfile, ContactAssignment, Visit
from shezhi.core.errors import NotFound
from shezhi.core.validators import (
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_mobile,
)
from shezhi.demo import seeding
from shezhi.needs import selectors
from shezhi.needs.models import Need
from shezhi.needs.workflow import Status
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident
from shezhi.volunteers.models import ServiceRecord, Volunteer

FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
# The module seeds once (fixture below), for the seeder's own checks and for the demo's organised
# activities alike: under xdist its tests stay on one worker, or each worker it visits would seed
# again.
pytestmark = pytest.mark.xdist_group("demo_seed")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One small community for the whole module, rolled back afterwards."""
    with django_db_blocker.unblock(), override_settings(**FAST_HASHER), transaction.atomic():
        seeding.seed(scale="small", seed=11)
        yield
        transaction.set_rollback(True)


def fingerprint() -> str:
    """A digest of the seeded data by natural keys (no primary keys, no wall-clock times)."""
    rows: list = []
    rows += OrgUnit.objects.order_by("path").values_list("path", "name", "latitude", "longitude")
    for r in Resident.objects.order_by("id_number").select_related(
        "compound", "grid", "household", "user"
    ):
        tags = sorted(r.tags.values_list("code", flat=True))
        rows.append(
            (r.id_number, r.name, r.gender, str(r.birth_date), r.phone, r.grid.path, r.address)
            + (r.household.address, tags, r.user.username if r.user else "")
        )
    for v in Volunteer.objects.order_by("volunteer_no").select_related("user"):
        skills = sorted(v.skill_levels.values_list("skill__code", "level"))
        teams = sorted(v.teammembership_set.values_list("team__name", "role"))
        rows.append((v.volunteer_no, v.id_number, v.user.username, skills, teams))
    rows += User.objects.order_by("username").values_list(
        "username", "role", "unit__path", "display_name", "partner__name"
    )
    for n in Need.objects.order_by("title", "description", "id").select_related("resident"):
        transitions = list(
            n.transitions.order_by("id").values_list(
                "action", "from_status", "to_status", "actor__username", "note"
            )
        )
        rows.append(
            (n.title, n.status, n.category.code, n.urgency.code, n.source, n.assignee_label)
            + (n.resident.id_number if n.resident else "", n.rating, n.needs_review, transitions)
        )
    # Ordered by every listed field: PostgreSQL returns ties in any order.
    rows += ServiceRecord.objects.order_by(
        "volunteer__volunteer_no", "title", "minutes", "hours"
    ).values_list("volunteer__volunteer_no", "title", "minutes", "hours")
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


@override_settings(**FAST_HASHER)
def test_same_seed_gives_identical_data_and_another_seed_differs(seeded, db):
    # The module's community was seeded with seed 11 on an empty database; seeding again after a
    # wipe (rolled back with the test) must give the same data, and another seed other data.
    first = fingerprint()
    seeding.wipe()
    seeding.seed(scale="small", seed=11)
    assert fingerprint() == first
    seeding.wipe()
    seeding.seed(scale="small", seed=12)
    assert fingerprint() != first


def test_every_id_number_is_valid_and_matches_birth_date_and_gender(seeded, db):
    people = list(Resident.objects.all()) + list(Volunteer.objects.all())
    assert len(people) >= 160
    for p in people:
        assert validate_id_number(p.id_number, today=timezone.localdate()) == p.id_number
        assert birth_date_from_id(p.id_number) == p.birth_date
        assert gender_from_id(p.id_number) == p.gender


def test_demo_volunteers_have_varied_skill_levels(seeded, db):
    from shezhi.volunteers.models import VolunteerSkill

    levels = set(VolunteerSkill.objects.values_list("level", flat=True))
    assert levels == {1, 2, 3, 4, 5}
    assert not Volunteer.objects.filter(skills__isnull=True).exists()


def test_residents_pass_model_validation(seeded, db):
    for resident in Resident.objects.select_related("compound", "grid")[:60]:
        resident.full_clean()
        assert resident.community_id == resident.compound.parent_id
        assert resident.consent_at is not None


def test_every_phone_is_a_valid_mobile_number(seeded, db):
    phones = [
        *Resident.objects.exclude(phone="").values_list("phone", flat=True),
        *Volunteer.objects.values_list("phone", flat=True),
        *User.objects.exclude(phone="").values_list("phone", flat=True),
        *Need.objects.exclude(contact_phone="").values_list("contact_phone", flat=True),
    ]
    assert len(phones) > 100
    for phone in phones:
        assert validate_mobile(phone) == phone


def test_needs_exist_in_every_status_with_overdue_and_low_ratings(seeded, db):
    statuses = set(Need.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Status}
    assert Need.objects.overdue().exists()
    assert Need.objects.filter(needs_review=True, rating__lte=2).exists()
    rated = Need.objects.filter(status=Status.RATED).first()
    actions = list(rated.transitions.values_list("action", flat=True))
    assert actions[0] == "create" and "accept" in actions and "rate" in actions
    assert ServiceRecord.objects.filter(source__startswith="need:").exists()


@pytest.mark.parametrize("username", seeding.DEMO_USERNAMES)
def test_demo_log_in_works(seeded, db, username):
    # django-axes checks every log-in against its request.
    assert Client().login(request=HttpRequest(), username=username, password=seeding.DEMO_PASSWORD)


def test_demo_loop_accounts_share_a_community_with_orders_for_each(seeded, db):
    worker = User.objects.get(username="worker1")
    volunteer = User.objects.get(username="volunteer1")
    resident = User.objects.get(username="resident1")
    assert worker.unit == volunteer.unit == resident.resident.community
    assert User.objects.get(username="grid1").unit == resident.resident.grid
    mine = Need.objects.filter(resident__user=resident)
    assert mine.filter(status=Status.PENDING).exists()
    assert mine.filter(status=Status.DONE).exists()  # resident1 can rate it
    assert mine.filter(
        status=Status.DISPATCHED, assignee_volunteer__user=volunteer
    ).exists()  # volunteer1 can accept it


def test_outsider_social_worker_cannot_see_the_demo_community_needs(seeded, db):
    worker1 = User.objects.get(username="worker1")
    outsider = User.objects.filter(role=Role.SOCIAL_WORKER).exclude(unit=worker1.unit).first()
    need = Need.objects.filter(resident__user__username="resident1").first()
    ledger = selectors.ledger(actor=outsider, filters=selectors.LedgerFilter())
    assert ledger.exists() and not ledger.filter(community=worker1.unit).exists()
    with pytest.raises(NotFound):
        selectors.need_get(actor=outsider, need_id=need.pk)
    assert selectors.need_get(actor=worker1, need_id=need.pk) == need


def test_demo_community_has_care_coverage_data_for_the_demo_log_ins(seeded, db):
    worker1 = User.objects.get(username="worker1")
    community = worker1.unit
    profiles = CareProfile.objects.filter(community=community)
    assert (
        profiles.filter(risk_level="high").exists() and profiles.filter(risk_level="key").exists()
    )
    assert ContactAssignment.objects.filter(resident__community=community).exists()
    # A few months of visits, some overdue, one of them raising a need in the ledger.
    visits = Visit.objects.filter(resident__community=community)
    first = visits.order_by("visited_on").first()
    assert first.visited_on <= timezone.localdate() - timedelta(days=60)
    assert visits.exclude(raised_need=None).exists()
    assert profiles.filter(next_visit_due__lt=timezone.localdate()).exists()
    crisis = CareAlert.objects.filter(
        community=community, kind=CareAlert.Kind.CRISIS, status=CareAlert.Status.OPEN
    )
    assert crisis.filter(source_type="care.visit").count() == 1
    assert crisis.first().assigned_to.role == Role.SOCIAL_WORKER
    campaign = Campaign.objects.get(community=community, status=Campaign.Status.ACTIVE)
    outcomes = set(campaign.stops.values_list("outcome", flat=True))
    assert "pending" in outcomes and len(outcomes) > 1  # in progress
    grid1 = User.objects.get(username="grid1")
    assert care_selectors.today_list(actor=grid1).exists()  # grid1's "today" list has work
    # Wiping removes the care data with everything else.
    with transaction.atomic():
        seeding.wipe()
        assert not CareProfile.objects.exists() and not Visit.objects.exists()
        transaction.set_rollback(True)


def test_demo_community_has_cases_written_through_the_services(seeded, db):
    from shezhi.cases import selectors as case_selectors
    from shezhi.cases.models import Case, CrisisIntervention, Referral

    worker1 = User.objects.get(username="worker1")
    cases = Case.objects.filter(community=worker1.unit, worker=worker1)
    assert set(cases.values_list("status", flat=True)) >= {"assessment", "intervention", "closed"}
    crisis = CrisisIntervention.objects.get(case__in=cases, ended_at__isnull=True)
    assert crisis.supervisor_notified_at is not None and crisis.safety_plan
    referral = Referral.objects.get(case=crisis.case, direction="out")
    assert (referral.institution_kind, referral.status) == ("hospital", "received")
    assert "精神科" in referral.institution_name
    teamed = cases.get(status="intervention")
    roles = set(teamed.team.values_list("role", flat=True))
    assert {"counsellor", "family_adviser", "volunteer"} <= roles
    assert teamed.interventions.exists() and teamed.supervision_notes.exists()
    assert cases.get(status="closed").closures.get().outcome == "achieved"
    # Confidentiality holds in the demo: volunteer1 (the counsellor) sees the plan only.
    volunteer1 = User.objects.get(username="volunteer1")
    access = case_selectors.case_access(actor=volunteer1, case_id=teamed.pk)
    assert not access.can("assessment") and access.can("plan")
    with pytest.raises(NotFound):
        case_selectors.case_access(actor=User.objects.get(username="admin"), case_id=teamed.pk)


def test_if_empty_does_nothing_on_a_seeded_database(seeded, db):
    before = (Resident.objects.count(), Need.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("seed", "--scale", "small", "--seed", "99", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert (Resident.objects.count(), Need.objects.count(), User.objects.count()) == before


def test_seeding_a_seeded_database_without_reset_is_refused(seeded, db):
    with pytest.raises(CommandError):
        call_command("seed", "--scale", "small", stdout=io.StringIO())


def test_demo_logins_prints_each_role_and_the_address(seeded, db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    for username in seeding.DEMO_USERNAMES:
        assert username in text
    assert "社区社工" in text and seeding.DEMO_PASSWORD in text


def test_seeded_accounts_must_change_the_demo_password_outside_the_demo(db, settings):
    settings.SHEZHI_SEED_MUST_CHANGE_PASSWORD = True
    user = seeding.Seeder(seeding.SCALES["demo"], seed=1).user("w", Role.SOCIAL_WORKER, None, "王")
    assert user.must_change_password
    settings.SHEZHI_SEED_MUST_CHANGE_PASSWORD = False
    assert (
        not seeding.Seeder(seeding.SCALES["demo"], seed=1)
        .user("v", Role.VOLUNTEER, None, "李")
        .must_change_password
    )


def test_demo_residents_see_their_community_phone(seeded, db):
    from shezhi.people.selectors import community_phone_for

    resident_user = User.objects.filter(role=Role.RESIDENT).first()
    assert community_phone_for(resident_user).startswith("027-8561")


# The demo's organised activities: past ones confirmed into hours, rated and summed up; a weekly
# class from a rule; upcoming ones with sign-ups, a waiting list and one awaiting approval.


@pytest.mark.django_db
def test_past_activities_have_hours_ratings_and_a_summary(seeded):
    past = Activity.objects.filter(status=Activity.Status.FINISHED)
    assert past.count() == 3
    for activity in past:
        figures = after.figures(activity)
        assert figures.volunteers >= 2 and figures.hours > 0
        assert figures.ratings >= 3 and figures.beneficiaries_registered == 1
        assert Summary.objects.filter(activity=activity).exists()
        assert ServiceRecord.objects.filter(source=f"activity:{activity.pk}").exists()
    assert Rating.objects.filter(role=Rating.Role.BENEFICIARY, comment__gt="").exists()


@pytest.mark.django_db
def test_a_weekly_class_comes_from_a_rule(seeded):
    weekly = Activity.objects.filter(title="四点半课堂", series__isnull=False)
    assert weekly.count() == 8
    assert {a.starts_at.weekday() for a in weekly} == {2}
    assert weekly.filter(status=Activity.Status.PUBLISHED).count() == 8


@pytest.mark.django_db
def test_upcoming_activities_have_sign_ups_a_waiting_list_and_pending_ones(seeded):
    upcoming = Activity.objects.filter(title__in=["重阳敬老文艺汇演", "反诈宣传进小区"])
    assert upcoming.count() == 2
    live = SignUp.objects.filter(activity__in=upcoming)
    assert live.filter(status=SignUp.Status.CONFIRMED).exists()
    assert live.filter(status=SignUp.Status.WAITLISTED).exists()
    assert live.filter(status=SignUp.Status.PENDING).exists()
