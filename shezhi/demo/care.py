"""Care coverage in the demo community (关爱不漏一人), written through the care services: vulnerable
residents on the registry with risk levels and one-on-one contact persons, a few months of visits
(some raising needs), some residents overdue, one with nobody home twice, one open crisis alert
from a visit note, and a door-knocking campaign half-way done.

Visits are replayed day by day with the services' clock (`now=`) so that due dates, alerts and
the audit trail are what the platform itself would have written."""

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.care import campaigns, jobs, services
from shezhi.care.cadence import RiskLevel
from shezhi.care.models import CampaignStop, CareProfile
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Resident

if TYPE_CHECKING:
    from shezhi.demo.seeding import Seeder

# Every tagged resident is registered with contact persons; a full visit history is replayed for
# this many per community (the first community, where the demo log-ins are, gets the most) in the
# first communities (the first street's, supervisor1's); elsewhere each was last visited once, so
# seeding time stays modest.
HISTORIES = {"small": (16, 6), "demo": (36, 12), "city": (36, 12)}
CARE_COMMUNITIES = 2
HISTORY_DAYS = (95, 125)  # visit history starts this many days ago
OVERDUE_SHARE = 0.15  # of residents with a history, whose visits stopped a while ago

# Visit notes: ordinary findings only (the lexicon must find no danger in them).
FINDINGS = {
    "health": ["血压偏高，已提醒按时服药", "膝盖不适，建议去社区卫生站复查", "感冒刚好，精神稍差"],
    "meals": ["子女两周没来，冰箱存菜不多", "长者食堂送餐有时偏咸", "牙口不好，吃软食"],
    "safety": ["燃气灶老旧，建议更换", "卫生间地面湿滑，建议加装扶手", "楼道灯坏了，已报物业"],
    "mood": ["老伴去世后话少，需要多陪伴聊天", "想念在外地的儿子", "最近睡眠不好"],
    "living": ["房屋漏水，已联系物业", "屋内杂物较多", "天冷暖气不热"],
    "needs": ["想申请助餐补贴", "需要有人帮忙取药", "希望有人陪同去医院复查"],
}
NOTES = [
    "老人精神不错，聊了家常",
    "家中整洁，按时服药",
    "与老人一起核对了药品有效期",
    "提醒注意防寒保暖，留下了网格员电话",
    "老人说最近社区活动多，心情好",
    "帮忙调好了电视机顶盒",
]
RAISED_NEEDS = [
    ("meals", "caring", "独居老人行动不便，需要长者食堂每天中午送餐上门"),
    ("repair", "general", "卫生间需要加装扶手，老人起身困难"),
    ("health", "caring", "需要志愿者陪同到区医院复查，家属在外地"),
]
CRISIS_NOTE = "老人反复说活着没意思，不想活了，已稳住情绪，需社工尽快介入"
CONCERN_NOTE = "独居老人家中空调坏了，高温天需尽快维修"


def _risk(resident: Resident, tags: set[str], rng: random.Random) -> tuple[str, str]:
    """A risk level and its reasons from the resident's vulnerability tags (local tiering)."""
    reasons = []
    if "living_alone" in tags:
        reasons.append("独居")
    if "advanced_age" in tags:
        reasons.append("80岁以上高龄")
    if "empty_nest" in tags:
        reasons.append("空巢")
    if "disabled" in tags:
        reasons.append("残疾")
    if "low_income" in tags:
        reasons.append("低收入")
    if "child_in_difficulty" in tags:
        reasons.append("困境儿童")
    if "migrant_child" in tags:
        reasons.append("流动儿童")
    text = "，".join(reasons) or "社区排查发现"
    if ("living_alone" in tags and "advanced_age" in tags) or rng.random() < 0.04:
        if rng.random() < 0.3:
            text += "，患慢性病"
        return RiskLevel.HIGH, text
    if tags & {"disabled", "child_in_difficulty", "living_alone", "low_income"}:
        return RiskLevel.KEY, text
    return RiskLevel.GENERAL, text


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class CareReplayer:
    def __init__(self, seeder: "Seeder", communities: list[OrgUnit]):
        self.seeder = seeder
        self.communities = communities
        self.now = seeder.now
        self.today = timezone.localdate(self.now)
        self.first, self.per_other = HISTORIES.get(seeder.scale.name, HISTORIES["demo"])

    def run(self) -> None:
        for index, community in enumerate(self.communities):
            self.community(community, featured=index == 0)
        # The scheduled job's first run: overdue residents and those without a contact person.
        jobs.overdue_compute(now=self.now)

    # ---- one community ------------------------------------------------------------------------

    def community(self, community: OrgUnit, *, featured: bool) -> None:
        rng = self.seeder.rng("care", community.path)
        staff = self.seeder.staff[community.pk]
        worker = staff.workers[0]
        index = self.communities.index(community)
        limit = self.first if featured else self.per_other if index < CARE_COMMUNITIES else 0
        residents = list(
            Resident.objects.filter(community=community, tags__isnull=False)
            .distinct()
            .order_by("pk")
            .prefetch_related("tags")
        )
        volunteer = (
            User.objects.filter(username="volunteer1", volunteer__community=community).first()
            if featured
            else None
        )
        histories: list[tuple[Resident, list[User], bool]] = []
        levels: dict[int, str] = {}
        for i, resident in enumerate(residents):
            tags = {t.code for t in resident.tags.all()}
            level, reasons = _risk(resident, tags, rng)
            levels[resident.pk] = level
            # A full history for the first few; the others were last seen once, recently.
            full = i < limit and (level != RiskLevel.GENERAL or rng.random() < 0.5)
            days_ago = rng.randint(*HISTORY_DAYS) if full else rng.randint(20, 120)
            registered_at = _at(self.today - timedelta(days=days_ago), 9)
            services.care_profile_set(
                actor=worker,
                resident_id=resident.pk,
                risk_level=level,
                risk_reasons=reasons,
                now=registered_at,
            )
            contacts = self.assign(resident, level, staff, worker, volunteer, i, registered_at)
            if contacts:
                histories.append((resident, contacts, full))
        overdue = {r.pk for r, _, _ in histories if rng.random() < OVERDUE_SHARE}
        if featured:  # grid1 (the first grid's worker) finds someone overdue on "today"
            first_grid = next(iter(staff.grid_workers), None)
            mine = [
                r
                for r, _, full in histories
                if r.grid_id == first_grid and full and levels[r.pk] != RiskLevel.GENERAL
            ]
            overdue.update(r.pk for r in mine[:1])
        crisis = self.crisis_resident(histories) if featured else None
        nobody_home = histories[1][0].pk if featured and len(histories) > 2 else None
        raised = iter(RAISED_NEEDS if featured else [])
        for resident, contacts, full in histories:
            self.history(
                rng,
                resident,
                contacts,
                full=full,
                stop_early=resident.pk in overdue,
                nobody_home=resident.pk == nobody_home,
                raised=raised,
            )
        if crisis is not None:
            services.visit_log(
                actor=crisis[1][0],
                resident_id=crisis[0].pk,
                visited_on=self.today,
                contact_made=True,
                checklist={"mood": "urgent", "health": "ok"},
                notes={"mood": "情绪低落"},
                note=CRISIS_NOTE,
                now=self.now,
            )
        if featured:
            self.campaign(rng, community, worker)

    def assign(self, resident, level, staff, worker, volunteer, i, at) -> list[User]:
        """The grid's grid worker for everyone (but two, left for the no-contact alert), the
        social worker too for high risk, volunteer1 for a few in the featured community."""
        if i in (3, 11):
            return []
        contacts = []
        grid_worker = staff.grid_workers.get(resident.grid_id)
        if grid_worker is not None:
            contacts.append(grid_worker)
        if level == RiskLevel.HIGH:
            contacts.append(worker)
        if volunteer is not None and i % 6 == 0:
            contacts.append(volunteer)
        for contact in contacts:
            services.contact_assign(
                actor=worker, resident_id=resident.pk, contact_id=contact.pk, now=at
            )
        return contacts

    def crisis_resident(self, histories):
        for resident, contacts, _full in histories:
            profile = CareProfile.objects.get(resident=resident)
            if profile.risk_level == RiskLevel.HIGH:
                return resident, contacts
        return histories[0][:2] if histories else None

    def history(self, rng, resident, contacts, *, full, stop_early, nobody_home, raised) -> None:
        """Visits from registration up to now at the resident's cadence (with the odd day's
        slack), or (not `full`) one visit within the current cadence; an overdue resident's
        visits stop a while ago."""
        profile = CareProfile.objects.get(resident=resident)
        end = self.today - timedelta(days=1)
        if stop_early:
            end -= timedelta(days=rng.randint(35, 60))
        day = profile.registered_on + timedelta(days=rng.randint(0, 3))
        visits: list[date] = []
        step = {RiskLevel.HIGH: 7, RiskLevel.KEY: 28, RiskLevel.GENERAL: 80}[
            RiskLevel(profile.risk_level)
        ]
        if not full:
            day = max(day, end - timedelta(days=rng.randint(0, step - 2)))
        while day <= end:
            visits.append(day)
            day = day + timedelta(days=step + rng.randint(-2, 1))
            if not full:
                break
        for n, day in enumerate(visits):
            visitor = contacts[n % len(contacts)]
            last_two = n >= len(visits) - 2
            contact_made = not (nobody_home and last_two) and rng.random() > 0.06
            checklist, notes = {}, {}
            for item in FINDINGS:
                if rng.random() < 0.05:
                    checklist[item] = "concern"
                    notes[item] = rng.choice(FINDINGS[item])
                elif contact_made:
                    checklist[item] = "ok"
            need = None
            # Only staff enter needs into the ledger; a volunteer's visit does not raise one.
            if (
                contact_made
                and visitor.is_staff_role
                and n == len(visits) - 1
                and rng.random() < 0.5
            ):
                draft = next(raised, None)
                if draft is not None:
                    need = services.NeedDraft(
                        category=draft[0], urgency=draft[1], description=draft[2]
                    )
            services.visit_log(
                actor=visitor,
                resident_id=resident.pk,
                visited_on=day,
                contact_made=contact_made,
                mode="home" if rng.random() < 0.8 else "phone",
                checklist=checklist if contact_made else {},
                notes=notes if contact_made else {},
                # Most visits are the checklist only (every note is scanned for danger).
                note=(rng.choice(NOTES) if rng.random() < 0.25 else "")
                if contact_made
                else "敲门无人应答",
                need=need,
                now=_at(day, rng.choice([9, 10, 14, 15, 16])),
            )

    def campaign(self, rng, community: OrgUnit, worker: User) -> None:
        """A heat-wave door-knocking campaign over grid1's grid, a little over half done."""
        grid = OrgUnit.objects.within(community).filter(level=Level.GRID).order_by("path").first()
        if grid is None:
            return
        campaign = campaigns.campaign_launch(
            actor=worker,
            unit_id=grid.pk,
            name="高温前敲门行动",
            reason="气象台发布高温橙色预警，逐户查看空调、饮水和身体状况",
        )
        stops = list(campaign.stops.select_related("assignee").order_by("position"))
        for stop in stops[: len(stops) * 3 // 5]:
            if stop.assignee is None:
                continue
            outcome = rng.choices(
                [
                    CampaignStop.Outcome.VISITED,
                    CampaignStop.Outcome.NOT_HOME,
                    CampaignStop.Outcome.REFUSED,
                    CampaignStop.Outcome.CONCERN,
                ],
                weights=[70, 20, 4, 6],
            )[0]
            campaigns.campaign_stop_record(
                actor=stop.assignee,
                stop_id=stop.pk,
                outcome=outcome,
                note=CONCERN_NOTE if outcome == CampaignStop.Outcome.CONCERN else "",
                now=self.now,
            )


def replay(seeder: "Seeder", communities: list[OrgUnit]) -> None:
    CareReplayer(seeder, communities).run()
