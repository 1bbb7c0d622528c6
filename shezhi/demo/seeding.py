"""Build a deterministic demo community: the org tree, staff accounts, residents in households,
volunteers in teams (bulk writes, streamed in batches), then needs replayed through the real
services (see `replay.py`).

Same seed → same data: every random choice comes from a `random.Random` seeded by the seed and
the name of what is being generated, and ages are counted from a fixed reference date.
Memory stays bounded at any scale: residents are generated household by household and written
in batches; nothing holds the list of all residents.
"""

import random
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.core.ages import age_on
from shezhi.core.validators import compose_id_number
from shezhi.demo import data
from shezhi.demo.housekeeping import (  # noqa: F401  (re-exported for the commands)
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    demo_logins,
    is_empty,
    summary,
    wipe,
)
from shezhi.org.models import Level, OrgUnit, PartnerOrganisation, ServiceCentre, Station
from shezhi.people.models import Household, Resident, VulnerabilityTag
from shezhi.people.services import CONSENT_VERSION
from shezhi.volunteers.models import (
    SkillTag,
    Team,
    TeamMembership,
    Volunteer,
    VolunteerNumberSequence,
    VolunteerSkill,
)

# Ages are counted from this date so that the same seed gives the same birth dates every day.
REFERENCE_DATE = date(2026, 1, 1)
# Demo volunteers' skill levels, drawn from this list (more 3s and 4s than beginners or experts).
SKILL_LEVEL_WEIGHTS = (1, 2, 2, 3, 3, 3, 4, 4, 5)


@dataclass(frozen=True)
class Scale:
    name: str
    streets: int
    communities_per_street: int
    compounds_per_community: int
    grids_per_compound: int
    residents: int
    volunteers: int
    teams: int
    needs: int
    partners: int
    resident_accounts_per_community: int = 2
    social_workers_per_community: int = 2
    batch: int = 2000
    activity_weeks: int = 104  # weeks of activity history per community (service records)

    @property
    def communities(self) -> int:
        return self.streets * self.communities_per_street


SCALES: dict[str, Scale] = {
    "small": Scale(
        "small", 2, 1, 2, 2, 160, 16, 2, 36, 2, resident_accounts_per_community=1, activity_weeks=4
    ),
    "demo": Scale("demo", 2, 2, 3, 2, 2000, 200, 10, 240, 4),
    # One large city district: 12 streets × 15 communities, ~5,600 residents per community.
    "city": Scale(
        "city", 12, 15, 8, 3, 1_000_000, 50_000, 1_000, 20_000, 6, batch=5000, activity_weeks=26
    ),
}


def weighted(rng: random.Random, pairs: list[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class IdAllocator:
    """Unique, valid ID numbers. Each (area code, birth date, gender) has 500 sequence numbers;
    they are handed out in a scrambled but collision-free order. The counter is keyed by a small
    int, so memory grows with distinct birth dates × areas, not with residents."""

    def __init__(self) -> None:
        self.used: dict[int, int] = {}
        self.areas = [a for a, _ in data.AREA_CODES]

    def allocate(self, area: str, born: date, gender: str) -> str:
        index = self.areas.index(area)
        for step in range(len(self.areas)):
            area_i = (index + step) % len(self.areas)
            key = (area_i * 100_000 + (born - date(1900, 1, 1)).days) * 2 + (gender == "M")
            k = self.used.get(key, 0)
            if k < 500:
                self.used[key] = k + 1
                offset = zlib.crc32(str(key).encode()) % 500
                seq = ((k * 37 + offset) % 500) * 2 + (1 if gender == "M" else 0)
                return compose_id_number(self.areas[area_i], born, seq)
        raise RuntimeError("ID sequence space exhausted")  # pragma: no cover


@dataclass
class Person:
    name: str
    gender: str
    born: date
    id_number: str
    phone: str
    age: int
    tags: set[str] = field(default_factory=set)


@dataclass
class CommunityStaff:
    community: OrgUnit
    workers: list[User]
    grid_workers: dict[int, User]  # grid pk -> grid worker


class Seeder:
    def __init__(self, scale: Scale, seed: int, log: Callable[[str], None] = lambda s: None):
        self.scale = scale
        self.seed = seed
        self.log = log
        self.ids = IdAllocator()
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo account
        # Outside the demo the shared password must be replaced at first log-in.
        self.must_change_password = settings.SHEZHI_SEED_MUST_CHANGE_PASSWORD
        self.now = timezone.now()
        self.skills = list(SkillTag.objects.order_by("code"))
        self.tags = {t.code: t for t in VulnerabilityTag.objects.all()}
        self.counters: dict[str, int] = {}
        self.staff: dict[int, CommunityStaff] = {}
        self.partner_users: dict[int, User] = {}
        self.volunteer_count = 0

    def rng(self, *names: object) -> random.Random:
        return random.Random(":".join([str(self.seed), *map(str, names)]))

    def next_name(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]}"

    # ---- accounts ---------------------------------------------------------------------------

    def user(self, prefix: str, role: str, unit: OrgUnit | None, display_name: str, **kw: Any):
        username = kw.pop("username", None) or self.next_name(prefix)
        user = User(
            username=username,
            role=role,
            unit=unit,
            display_name=display_name,
            password=self.password,
            must_change_password=self.must_change_password,
            **kw,
        )
        user.save()
        return user

    def person_name(self, rng: random.Random, gender: str, born: date, surname: str = "") -> str:
        surname = surname or weighted(rng, data.SURNAMES)
        if born.year < 1965 and rng.random() < 0.5:
            names = data.OLD_MALE_NAMES if gender == "M" else data.OLD_FEMALE_NAMES
            return surname + rng.choice(names)
        chars = data.MALE_CHARS if gender == "M" else data.FEMALE_CHARS
        given = rng.choice(chars)
        if rng.random() < 0.75:
            given += rng.choice(chars.replace(given, ""))
        return surname + given

    def phone(self, rng: random.Random) -> str:
        return rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"

    def person(
        self, rng: random.Random, age: int, gender: str, surname: str = "", area: str = ""
    ) -> Person:
        born = REFERENCE_DATE - timedelta(days=age * 365 + rng.randrange(1, 365))
        area = area or weighted(rng, data.AREA_CODES)
        has_phone = age >= 16 and not (age >= 85 and rng.random() < 0.5)
        return Person(
            name=self.person_name(rng, gender, born, surname),
            gender=gender,
            born=born,
            id_number=self.ids.allocate(area, born, gender),
            phone=self.phone(rng) if has_phone else "",
            age=age_on(born, REFERENCE_DATE),
        )

    # ---- the org tree -----------------------------------------------------------------------

    def org_unit(self, level: int, code: str, name: str, parent: OrgUnit | None, lat, lon):
        unit = OrgUnit(
            level=level,
            code=code,
            name=name,
            parent=parent,
            latitude=round(lat, 6),
            longitude=round(lon, 6),
        )
        unit.save()
        return unit

    def build_org(self) -> list[OrgUnit]:
        rng = self.rng("org")
        code, name, lat, lon = data.DISTRICT
        district = self.org_unit(Level.DISTRICT, code, name, None, lat, lon)
        self.district = district
        self.streets: list[OrgUnit] = []
        communities: list[OrgUnit] = []
        compound_names: set[str] = set()
        for s in range(self.scale.streets):
            s_lat, s_lon = lat + rng.uniform(-0.03, 0.03), lon + rng.uniform(-0.03, 0.03)
            street = self.org_unit(
                Level.STREET, f"{s + 1:03d}", data.STREET_NAMES[s], district, s_lat, s_lon
            )
            self.streets.append(street)
            Station.objects.create(
                tier=Station.Tier.STREET,
                name=f"{street.name}社工站",
                unit=street,
                address=f"{street.name}{rng.choice(data.ROADS)}{rng.randint(1, 300)}号",
                latitude=street.latitude,
                longitude=street.longitude,
            )
            for c in range(self.scale.communities_per_street):
                index = len(communities)
                stem = data.COMMUNITY_STEMS[index % len(data.COMMUNITY_STEMS)]
                suffix = (
                    "东西南北中新"[index // len(data.COMMUNITY_STEMS) - 1]
                    if index >= len(data.COMMUNITY_STEMS)
                    else ""
                )
                c_lat = s_lat + rng.uniform(-0.008, 0.008)
                c_lon = s_lon + rng.uniform(-0.008, 0.008)
                community = self.org_unit(
                    Level.COMMUNITY, f"{c + 1:03d}", f"{stem}{suffix}社区", street, c_lat, c_lon
                )
                communities.append(community)
                road = rng.choice(data.ROADS)
                Station.objects.create(
                    tier=Station.Tier.COMMUNITY,
                    name=f"{community.name}社工室",
                    unit=community,
                    address=f"{road}{rng.randint(1, 300)}号{community.name}居委会二楼",
                    # Not drawn from rng, so the rest of the demo stays as it was.
                    phone=f"027-8561{index + 1:04d}",
                    latitude=community.latitude,
                    longitude=community.longitude,
                )
                ServiceCentre.objects.create(
                    name=f"{community.name}党群服务中心",
                    unit=community,
                    address=f"{road}{rng.randint(1, 300)}号",
                    latitude=community.latitude,
                    longitude=community.longitude,
                    phone=f"027-8{rng.randrange(10**6, 10**7)}",
                )
                for k in range(self.scale.compounds_per_community):
                    while True:
                        cname = rng.choice(data.COMPOUND_STEMS) + rng.choice(data.COMPOUND_SUFFIXES)
                        if cname not in compound_names or len(compound_names) > 200:
                            break
                    compound_names.add(cname)
                    compound = self.org_unit(
                        Level.COMPOUND,
                        f"{k + 1:02d}",
                        cname,
                        community,
                        c_lat + rng.uniform(-0.004, 0.004),
                        c_lon + rng.uniform(-0.004, 0.004),
                    )
                    if k == 0:
                        Station.objects.create(
                            tier=Station.Tier.COMPOUND,
                            name=f"{compound.name}社工点",
                            unit=compound,
                            address=f"{compound.name}物业楼一楼",
                            latitude=compound.latitude,
                            longitude=compound.longitude,
                        )
                    for g in range(self.scale.grids_per_compound):
                        self.org_unit(
                            Level.GRID,
                            f"{g + 1:02d}",
                            f"{compound.name}第{g + 1}网格",
                            compound,
                            compound.latitude + rng.uniform(-0.001, 0.001),
                            compound.longitude + rng.uniform(-0.001, 0.001),
                        )
        for i in range(self.scale.partners):
            pname, services = data.PARTNERS[i % len(data.PARTNERS)]
            street = self.streets[i % len(self.streets)]
            suffix = f"（{street.name}）" if i >= len(data.PARTNERS) else ""
            PartnerOrganisation.objects.create(
                name=pname + suffix,
                unit=street,
                contact_name=self.person_name(rng, rng.choice("MF"), date(1980, 1, 1)),
                contact_phone=self.phone(rng),
                services=services,
            )
        return communities

    def build_staff(self, communities: list[OrgUnit]) -> None:
        rng = self.rng("staff")

        def name() -> str:
            return self.person_name(rng, rng.choice("MF"), date(1985, 1, 1))

        self.user(
            "",
            Role.SYSTEM_ADMIN,
            None,
            "系统管理员",
            username="admin",
            is_superuser=True,
            is_staff=True,
        )
        self.user("", Role.DISTRICT_ADMIN, self.district, name(), username="district")
        self.user("", Role.STREET_ADMIN, self.streets[0], name(), username="street")
        for street in self.streets:
            self.user("supervisor", Role.SUPERVISOR, street, name(), phone=self.phone(rng))
        for partner in PartnerOrganisation.objects.order_by("pk"):
            self.partner_users[partner.pk] = self.user(
                "partner", Role.PARTNER, partner.unit, partner.contact_name, partner=partner
            )
        for community in communities:
            workers = [
                self.user("worker", Role.SOCIAL_WORKER, community, name(), phone=self.phone(rng))
                for _ in range(self.scale.social_workers_per_community)
            ]
            grids = OrgUnit.objects.within(community).filter(level=Level.GRID).order_by("path")
            grid_workers = {
                g.pk: self.user("grid", Role.GRID_WORKER, g, name(), phone=self.phone(rng))
                for g in grids
            }
            self.staff[community.pk] = CommunityStaff(community, workers, grid_workers)

    # ---- residents, households, volunteers, teams -------------------------------------------

    HOUSEHOLD_TYPES: list[tuple[str, float]] = [
        ("elder_alone", 10),
        ("elder_couple", 14),
        ("young_single", 10),
        ("couple", 12),
        ("couple_kids", 32),
        ("three_gen", 17),
        ("single_parent", 5),
    ]

    def household(self, rng: random.Random) -> tuple[str, list[Person]]:
        kind = weighted(rng, self.HOUSEHOLD_TYPES)
        surname = weighted(rng, data.SURNAMES)
        area = weighted(rng, data.AREA_CODES)
        local = area.startswith("4201")
        people: list[Person] = []

        def adult(lo: int, hi: int, gender: str, own_surname: bool = False) -> Person:
            a = rng.randint(lo, hi)
            return self.person(rng, a, gender, "" if own_surname else surname, area)

        if kind == "elder_alone":
            people.append(
                adult(65, 96, "F" if rng.random() < 0.65 else "M", own_surname=rng.random() < 0.6)
            )
        elif kind == "elder_couple":
            people += [adult(60, 92, "M"), adult(58, 90, "F", own_surname=True)]
        elif kind == "young_single":
            people.append(adult(22, 40, rng.choice("MF")))
        elif kind == "couple":
            people += [adult(25, 62, "M"), adult(24, 60, "F", own_surname=True)]
        else:
            parents = [adult(28, 50, "M"), adult(27, 48, "F", own_surname=True)]
            if kind == "single_parent":
                parents = [parents[rng.random() < 0.7]]
            people += parents
            youngest_parent = min(p.age for p in parents)
            for _ in range(1 if rng.random() < 0.6 or kind == "single_parent" else 2):
                kid_age = rng.randint(0, min(17, youngest_parent - 22))
                people.append(self.person(rng, kid_age, rng.choice("MF"), surname, area))
            if kind == "three_gen":
                people.append(adult(youngest_parent + 22, min(95, youngest_parent + 38), "F"))
                if rng.random() < 0.5:
                    people.append(adult(youngest_parent + 24, min(95, youngest_parent + 40), "M"))
        low_income = rng.random() < (0.08 if kind in ("elder_alone", "single_parent") else 0.02)
        for p in people:
            if p.age >= 80:
                p.tags.add("advanced_age")
            if kind == "elder_alone" and p.age >= 60:
                p.tags.add("living_alone")
            if kind == "elder_couple" and min(q.age for q in people) >= 60:
                p.tags.add("empty_nest")
            if rng.random() < (0.05 if p.age >= 60 else 0.015):
                p.tags.add("disabled")
            if low_income:
                p.tags.add("low_income")
            if p.age < 18:
                if not local and rng.random() < 0.7:
                    p.tags.add("migrant_child")
                if (low_income or kind == "single_parent") and rng.random() < 0.4:
                    p.tags.add("child_in_difficulty")
        return kind, people

    def addresses(self, rng: random.Random) -> Iterator[str]:
        """Flats of a compound, spread over its buildings at random, each used once: 3栋2单元501."""
        buildings: list[tuple[int, int, int]] = []  # (units, floors, flats per floor)
        used: set[tuple[int, int, int, int]] = set()
        capacity = 0
        while True:
            if len(used) >= capacity * 0.7:
                for _ in range(rng.randint(6, 16)):
                    shape = (
                        rng.randint(1, 4),
                        rng.choice([6, 7, 11, 18, 26, 33]),
                        rng.randint(2, 4),
                    )
                    buildings.append(shape)
                    capacity += shape[0] * shape[1] * shape[2]
            b = rng.randrange(len(buildings))
            units, floors, flats = buildings[b]
            flat = (b + 1, rng.randint(1, units), rng.randint(1, floors), rng.randint(1, flats))
            if flat not in used:
                used.add(flat)
                yield f"{flat[0]}栋{flat[1]}单元{flat[2]}{flat[3]:02d}"

    def build_people(self, communities: list[OrgUnit]) -> None:
        n = len(communities)
        per_community = [
            self.scale.residents // n + (1 if i < self.scale.residents % n else 0) for i in range(n)
        ]
        teams_per = [
            self.scale.teams // n + (1 if i < self.scale.teams % n else 0) for i in range(n)
        ]
        vols_per = [
            self.scale.volunteers // n + (1 if i < self.scale.volunteers % n else 0)
            for i in range(n)
        ]
        for i, community in enumerate(communities):
            self.build_community(community, per_community[i], teams_per[i], vols_per[i])
            self.log(f"  {community.name}: {per_community[i]} 名居民")

    def build_community(
        self, community: OrgUnit, residents: int, team_count: int, volunteer_target: int
    ) -> None:
        rng = self.rng("people", community.path)
        staff = self.staff[community.pk]
        teams = [
            Team.objects.create(name=data.TEAM_NAMES[t % len(data.TEAM_NAMES)], community=community)
            for t in range(team_count)
        ]
        compounds = list(
            OrgUnit.objects.filter(parent=community).order_by("path").prefetch_related("children")
        )
        weights = [rng.uniform(0.7, 1.3) for _ in compounds]
        quotas = [int(residents * w / sum(weights)) for w in weights]
        quotas[0] += residents - sum(quotas)
        # about half the residents are 18–70 with a phone; pick volunteers among them
        p_volunteer = min(1.0, volunteer_target / max(1, residents * 0.45))
        batch = Batch(self)
        accounts = 0
        volunteers = 0
        for compound, quota in zip(compounds, quotas, strict=True):
            grids = sorted(compound.children.all(), key=lambda g: g.path)
            flats = self.addresses(rng)
            made = 0
            while made < quota:
                address = next(flats)
                _, people = self.household(rng)
                people = people[: quota - made]
                made += len(people)
                building = int(address.split("栋")[0])
                grid = grids[(building - 1) % len(grids)]
                hh = Household(compound=compound, address=address)
                for p in people:
                    resident = Resident(
                        name=p.name,
                        gender=p.gender,
                        birth_date=p.born,
                        id_number=p.id_number,
                        phone=p.phone,
                        community=community,
                        compound=compound,
                        grid=grid,
                        address=address,
                        consent_version=CONSENT_VERSION,
                        consent_at=self.now,
                        consent_recorded_by=staff.workers[0],
                    )
                    if (
                        accounts < self.scale.resident_accounts_per_community
                        and grid == grids[0]  # so that resident1 lives in grid1's grid
                        and 55 <= p.age <= 78
                        and p.phone
                    ):
                        accounts += 1
                        resident.user = self.user(
                            "resident", Role.RESIDENT, community, p.name, phone=p.phone
                        )
                    volunteer = None
                    if (
                        volunteers < volunteer_target
                        and 18 <= p.age <= 70
                        and p.phone
                        and resident.user is None
                        and rng.random() < p_volunteer
                    ):
                        leader_of = teams[volunteers] if volunteers < len(teams) else None
                        volunteer = self.volunteer(rng, p, community, compound, teams, leader_of)
                        volunteers += 1
                    batch.add(hh, resident, p.tags, volunteer)
        batch.flush()
        for team in teams:
            leader = (
                TeamMembership.objects.filter(team=team, role=TeamMembership.TeamRole.LEADER)
                .values_list("volunteer_id", flat=True)
                .first()
            )
            if leader:
                Team.objects.filter(pk=team.pk).update(leader_id=leader)
        self.volunteer_count += volunteers

    def volunteer(
        self, rng, p: Person, community, compound, teams, leader_of
    ) -> "PendingVolunteer":
        role = Role.TEAM_LEADER if leader_of else Role.VOLUNTEER
        username = self.next_name("leader" if leader_of else "volunteer")
        user = User(
            username=username,
            role=role,
            unit=community,
            display_name=p.name,
            phone=p.phone,
            password=self.password,
            must_change_password=self.must_change_password,
        )
        memberships = []
        if leader_of:
            memberships.append((leader_of, TeamMembership.TeamRole.LEADER))
        elif teams and rng.random() < 0.9:
            first = rng.choice(teams)
            memberships.append((first, TeamMembership.TeamRole.MEMBER))
            if len(teams) > 1 and rng.random() < 0.15:
                second = rng.choice([t for t in teams if t != first])
                memberships.append((second, TeamMembership.TeamRole.MEMBER))
        self.counters["volunteer_no"] = self.counters.get("volunteer_no", 0) + 1
        volunteer = Volunteer(
            # The platform's own 统一编号 format ("ZY" + year + 8 digits, as volunteer_register
            # issues): digits alone read like an ID number beside the volunteer's name.
            volunteer_no=f"ZY{REFERENCE_DATE.year}{self.counters['volunteer_no']:08d}",
            name=p.name,
            gender=p.gender,
            birth_date=p.born,
            id_number=p.id_number,
            phone=p.phone,
            community=community,
            compound=compound,
        )
        skills = rng.sample(self.skills, k=rng.choice([1, 1, 2, 2, 3]))
        # Levels come from their own stream so the draws above (and all later data) stay as
        # they were; most helpers are middling, a few beginners or experts.
        level_rng = self.rng("skill-level", volunteer.volunteer_no)
        levels = [level_rng.choice(SKILL_LEVEL_WEIGHTS) for _ in skills]
        return PendingVolunteer(
            user, volunteer, [(s.pk, lv) for s, lv in zip(skills, levels, strict=True)], memberships
        )

    # ---- the whole run ----------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        from shezhi.demo import cases as cases_demo
        from shezhi.demo.activities import seed_activities
        from shezhi.demo.care import replay as care_replay
        from shezhi.demo.replay import NeedReplayer
        from shezhi.demo.volunteering import VolunteeringReplayer

        with transaction.atomic():
            self.log(f"生成组织架构（{self.scale.name}，种子 {self.seed}）…")
            communities = self.build_org()
            self.build_staff(communities)
            self.log("生成居民、家庭户、志愿者和服务队…")
            self.build_people(communities)
            self.log("按真实流程回放需求（点单→派单→接单→评单）…")
            NeedReplayer(self, communities).run(self.scale.needs)
            self.log("回放志愿服务记录、更正申请、培训与表彰，计算星级…")
            VolunteeringReplayer(self, communities).run()
            self.log("关爱走访：建档、一对一联系人、走访记录、预警和敲门行动…")
            care_replay(self, communities)
            seed_activities(self, communities)  # organised activities (shezhi/demo/activities.py)
            cases_demo.seed_cases(self, communities)  # casework (shezhi/demo/cases.py)
        return summary()


@dataclass
class PendingVolunteer:
    user: User
    volunteer: Volunteer
    skill_levels: list[tuple[int, int]]  # (skill pk, level 1..5)
    memberships: list[tuple[Team, str]]


class Batch:
    """Buffers households, residents and volunteers and writes them with bulk_create."""

    def __init__(self, seeder: Seeder):
        self.seeder = seeder
        self.households: dict[int, Household] = {}
        self.rows: list[tuple[Household, Resident, set[str], PendingVolunteer | None]] = []

    def add(self, hh: Household, resident: Resident, tags: set[str], volunteer) -> None:
        self.households[id(hh)] = hh
        self.rows.append((hh, resident, tags, volunteer))
        if len(self.rows) >= self.seeder.scale.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        Household.objects.bulk_create([h for h in self.households.values() if h.pk is None])
        residents = []
        for hh, resident, _, _ in self.rows:
            resident.household = hh
            residents.append(resident)
        Resident.objects.bulk_create(residents)
        tag_rows = [
            Resident.tags.through(resident_id=r.pk, vulnerabilitytag_id=self.seeder.tags[code].pk)
            for (_, r, tags, _) in self.rows
            for code in sorted(tags)
        ]
        Resident.tags.through.objects.bulk_create(tag_rows)
        pending = [v for (_, _, _, v) in self.rows if v is not None]
        if pending:
            User.objects.bulk_create([v.user for v in pending])
            for v in pending:
                v.volunteer.user = v.user
            Volunteer.objects.bulk_create([v.volunteer for v in pending])
            # Numbers issued later by volunteer_register continue after the demo's.
            VolunteerNumberSequence.objects.update_or_create(
                year=REFERENCE_DATE.year,
                defaults={"last": self.seeder.counters["volunteer_no"]},
            )
            VolunteerSkill.objects.bulk_create(
                [
                    VolunteerSkill(volunteer_id=v.volunteer.pk, skill_id=s, level=level)
                    for v in pending
                    for s, level in v.skill_levels
                ]
            )
            TeamMembership.objects.bulk_create(
                [
                    TeamMembership(team=team, volunteer=v.volunteer, role=role)
                    for v in pending
                    for team, role in v.memberships
                ]
            )
        self.households = {}
        self.rows = []


def seed(*, scale: str, seed: int, log: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    return Seeder(SCALES[scale], seed, log).run()
