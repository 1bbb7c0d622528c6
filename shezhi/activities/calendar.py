"""iCalendar feeds that calendar programs subscribe to without a session: a volunteer's confirmed
activities, a team's and a community's published activities.

The feed address carries a token signed with django.core.signing (salted for this purpose): it
names the feed (`v<volunteer id>`, `t<team id>`, `c<community id>`) and cannot be forged or
altered; a bad token is "not found". Tokens do not expire (calendar subscriptions live long);
rotating SECRET_KEY revokes them all.

Events: UID, DTSTAMP, DTSTART/DTEND with TZID Asia/Shanghai (a VTIMEZONE is included),
SUMMARY, LOCATION, GEO where the venue has coordinates, STATUS (CANCELLED for cancelled
activities, so subscribed calendars strike them out rather than keep a stale entry)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from shezhi.accounts.models import User
from shezhi.activities.models import Activity, SignUp
from shezhi.activities.services import CANCELLED_WITH_ACTIVITY
from shezhi.core.errors import NotFound
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers.models import Team, TeamMembership, Volunteer

SALT = "shezhi.activities.calendar"
VOLUNTEER, TEAM, COMMUNITY = "v", "t", "c"
KINDS = (VOLUNTEER, TEAM, COMMUNITY)
PAST_DAYS = 180  # older events drop out of the feed
MAX_EVENTS = 500


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def feed_token(kind: str, object_id: int) -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    return _signer().sign(f"{kind}{int(object_id)}")


def read_token(token: str) -> tuple[str, int]:
    """(kind, id) of a valid token; NotFound for a forged, altered or malformed one."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        raise NotFound("未找到该日历") from None
    kind, digits = value[:1], value[1:]
    if kind not in KINDS or not digits.isdigit():
        raise NotFound("未找到该日历")
    return kind, int(digits)


def feed_url(kind: str, object_id: int) -> str:
    base = str(settings.SHEZHI_PUBLIC_BASE_URL).rstrip("/")
    return base + reverse("activities:calendar_feed", args=[feed_token(kind, object_id)])


def webcal(url: str) -> str:
    """The same address with the webcal scheme, which calendar programs open as a subscription."""
    return "webcal://" + url.split("://", 1)[-1]


# --- what each feed holds ---------------------------------------------------------------------


def _published(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Activities once published (cancelled ones too: they must show as cancelled)."""
    return qs.filter(published_at__isnull=False).exclude(status=Activity.Status.DRAFT)


def _recent(qs: QuerySet[Activity], now: datetime) -> list[Activity]:
    return list(
        qs.filter(ends_at__gte=now - timedelta(days=PAST_DAYS))
        .select_related("organiser_unit")
        .distinct()
        .order_by("starts_at", "id")[:MAX_EVENTS]
    )


def volunteer_activities(volunteer_id: int, now: datetime) -> list[Activity]:
    """Confirmed sign-ups, and activities cancelled while the volunteer was signed up."""
    signed = SignUp.objects.filter(volunteer_id=volunteer_id).filter(
        Q(status=SignUp.Status.CONFIRMED)
        | Q(
            status=SignUp.Status.CANCELLED,
            activity__status=Activity.Status.CANCELLED,
            cancel_reason__startswith=CANCELLED_WITH_ACTIVITY,
        )
    )
    return _recent(Activity.objects.filter(pk__in=signed.values("activity_id")), now)


def team_activities(team_id: int, now: datetime) -> list[Activity]:
    return _recent(
        _published(Activity.objects.filter(Q(team_id=team_id) | Q(scope_team_id=team_id))), now
    )


def community_activities(community: OrgUnit, now: datetime) -> list[Activity]:
    """Organised by the community or published to it (or to its street)."""
    ancestors = [community.path[: i + 1] for i, ch in enumerate(community.path) if ch == "/"]
    covering = Q(scope=Activity.Scope.UNIT, scope_unit__path__in=ancestors)
    return _recent(_published(Activity.objects.filter(Q(organiser_unit=community) | covering)), now)


@dataclass(frozen=True)
class Feed:
    name: str
    activities: list[Activity]


def feed_for_token(token: str, *, now: datetime | None = None) -> Feed:
    now = now or timezone.now()
    kind, object_id = read_token(token)
    if kind == VOLUNTEER:
        # A volunteer no longer on the register loses their feed.
        volunteer = Volunteer.objects.filter(pk=object_id, is_active=True).first()
        if volunteer is None:
            raise NotFound("未找到该日历")
        return Feed(f"{volunteer.name}的志愿活动", volunteer_activities(volunteer.pk, now))
    if kind == TEAM:
        team = Team.objects.filter(pk=object_id, status=Team.Status.FOUNDED).first()
        if team is None:
            raise NotFound("未找到该日历")
        return Feed(f"{team.name}的志愿活动", team_activities(team.pk, now))
    community = OrgUnit.objects.filter(pk=object_id, level=Level.COMMUNITY).first()
    if community is None:
        raise NotFound("未找到该日历")
    return Feed(f"{community.name}的志愿活动", community_activities(community, now))


# --- rendering --------------------------------------------------------------------------------


def _event(activity: Activity, zone: ZoneInfo, host: str) -> Event:
    event = Event()
    event.add("uid", f"activity-{activity.pk}@{host}")
    event.add("dtstamp", activity.updated_at.astimezone(UTC))
    event.add("last-modified", activity.updated_at.astimezone(UTC))
    event.add("dtstart", activity.starts_at.astimezone(zone))
    event.add("dtend", activity.ends_at.astimezone(zone))
    event.add("summary", activity.title)
    event.add("location", activity.venue)
    description = activity.description
    if activity.status == Activity.Status.CANCELLED and activity.cancel_reason:
        description = f"已取消：{activity.cancel_reason}\n\n{description}"
    event.add("description", description)
    if activity.latitude is not None and activity.longitude is not None:
        event.add("geo", (activity.latitude, activity.longitude))
    cancelled = activity.status == Activity.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def render(feed: Feed) -> bytes:
    zone = ZoneInfo(settings.TIME_ZONE)
    base = str(settings.SHEZHI_PUBLIC_BASE_URL).split("://", 1)[-1]
    host = base.split("/", 1)[0].split(":", 1)[0] or "shezhi"
    cal = Calendar()
    cal.add("prodid", "-//社志通//志愿活动//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", feed.name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    # Ask subscribed calendars to refresh hourly (changes and cancellations show up soon).
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for activity in feed.activities:
        cal.add_component(_event(activity, zone, host))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


# --- the links a user may subscribe to --------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    label: str
    url: str

    @property
    def webcal_url(self) -> str:
        return webcal(self.url)


def subscriptions_for(user: User) -> list[Subscription]:
    """The feeds shown on a volunteer's activities page: their own, their community's and their
    teams'. Only the volunteer themself is handed these signed links."""
    volunteer = Volunteer.objects.filter(user=user).select_related("community").first()
    if volunteer is None:
        return []
    subs = [
        Subscription("我的志愿活动", feed_url(VOLUNTEER, volunteer.pk)),
        Subscription(
            f"{volunteer.community.name}的活动", feed_url(COMMUNITY, volunteer.community_id)
        ),
    ]
    teams = Team.objects.filter(
        Q(pk__in=TeamMembership.objects.filter(volunteer=volunteer).values("team_id"))
        | Q(leader=volunteer),
        status=Team.Status.FOUNDED,
    ).order_by("name")
    subs += [Subscription(f"{t.name}的活动", feed_url(TEAM, t.pk)) for t in teams]
    return subs


def staff_subscriptions(user: User) -> list[Subscription]:
    """Community feeds for staff: their community, or the communities of their street."""
    unit = user.unit if user.is_staff_role else None
    if unit is None or unit.level not in (Level.STREET, Level.COMMUNITY):
        return []
    communities = OrgUnit.objects.filter(
        level=Level.COMMUNITY, path__startswith=unit.path
    ).order_by("path")[:50]
    return [Subscription(f"{c.name}的活动", feed_url(COMMUNITY, c.pk)) for c in communities]
