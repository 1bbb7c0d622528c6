"""Checking, staging and writing the rows of one file, per kind: parse every cell, check the whole
file (nothing written), turn each row into the JSON-safe arguments of its volunteers service
(`stage_rows`, stored as staged rows by the caller), then publish each staged row through the
service (so its rules, scope and audit apply). Used by `services.import_job_run`; a problem is
(row, column header, Chinese reason)."""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from django.db.models import Sum
from django.utils import timezone

from shezhi.core.ages import age_on
from shezhi.core.errors import DomainError, NotFound
from shezhi.core.validators import (
    InvalidValue,
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_mobile,
)
from shezhi.imports import sheets
from shezhi.imports.models import ImportJob
from shezhi.imports.sheets import CellError, Layout, Problem
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers import services as volunteer_services
from shezhi.volunteers.models import (
    SKILL_LEVELS,
    PoliticalStatus,
    ServiceCategory,
    ServiceRecord,
    SkillTag,
    Volunteer,
    split_skill_level,
)

log = logging.getLogger(__name__)

BATCH = 500
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}


class Progress(Protocol):
    def tick(self, *, in_transaction: bool = False) -> None: ...

    def flush(self, *, in_transaction: bool = False) -> None: ...


class RowFailed(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _header_of(layout: Layout, field: str | None, fallback: str = "") -> str:
    aliases = {
        "started_at": "start",
        "ended_at": "end",
        "service_date": "service_date",
        "guardian_consent": "guardian_consent",
        "compound_id": "compound",
        "organiser_unit": "",
        "community_id": "",
    }
    key = aliases.get(field or "", field or "")
    col = layout.column(key) if key else None
    return col.header if col else fallback


@dataclass
class _Base:
    job: ImportJob
    layout: Layout

    def header(self, key: str) -> str:
        col = self.layout.column(key)
        return col.header if col else key

    def _cells(
        self, row: int, raw: dict[str, Any], parsers: dict[str, Callable[[Any], Any]]
    ) -> tuple[dict[str, Any], list[Problem]]:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for key, parse in parsers.items():
            try:
                values[key] = parse(raw.get(key))
            except CellError as exc:
                values[key] = None
                problems.append(Problem(row, self.header(key), str(exc)))
        return values, problems

    def _required(self, row: int, values: dict[str, Any]) -> list[Problem]:
        return [
            Problem(row, c.header, f"请填写{c.header}")
            for c in self.layout.columns
            if c.required and values.get(c.key) in (None, "")
        ]

    def _too_long(self, row: int, values: dict[str, Any], limits: dict[str, int]) -> list[Problem]:
        return [
            Problem(row, self.header(k), f"{self.header(k)}不能超过{n}个字")
            for k, n in limits.items()
            if len(values.get(k) or "") > n
        ]

    def _write_rows(
        self, rows: Iterable[tuple[int, dict[str, Any]]], progress: Progress, one: Callable
    ) -> None:
        """Publish staged rows (row number, data) with `one`, inside the caller's transaction."""
        for row, raw in rows:
            try:
                one(row, raw)
            except DomainError as exc:
                raise RowFailed(
                    Problem(row, _header_of(self.layout, exc.field), exc.message)
                ) from None
            except RowFailed:
                raise
            except Exception:
                log.exception("import job %s failed on row %s", self.job.pk, row)
                raise RowFailed(
                    Problem(row, "", "导入该行时发生错误，已撤销本次导入的全部数据")
                ) from None
            progress.tick(in_transaction=True)
        progress.flush(in_transaction=True)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _id_number(value: Any, today: date) -> str:
    raw = sheets.identifier(value, "身份证号码")
    if not raw:
        return ""
    try:
        return validate_id_number(raw, today=today)
    except InvalidValue as exc:
        raise CellError(str(exc)) from None


def _phone(value: Any) -> str:
    raw = sheets.identifier(value, "手机号码")
    if not raw:
        return ""
    try:
        return validate_mobile(raw)
    except InvalidValue as exc:
        raise CellError(str(exc)) from None


# --- volunteers -------------------------------------------------------------------------------


def _skills_with_levels(value: Any) -> dict[str, int | None]:
    """A skills cell such as 维修:4、助餐 → {"维修": 4, "助餐": None} (None = default level)."""
    out: dict[str, int | None] = {}
    for item in sheets.a_list(value):
        try:
            name, level = split_skill_level(item)
        except ValueError:
            level = 0
        if level is not None and level not in SKILL_LEVELS:  # reported with the row, up front
            raise CellError(f"“{item}”格式应为“技能:等级”，等级为1至5，如 维修:4")
        out[name] = level
    return out


class VolunteerImport(_Base):
    def _parse(self, row: int, raw: dict[str, Any], today: date):
        values, problems = self._cells(
            row,
            raw,
            {
                "name": sheets.text,
                "id_number": lambda v: _id_number(v, today),
                "gender": sheets.text,
                "birth_date": sheets.a_date,
                "phone": _phone,
                "compound": sheets.text,
                "address": sheets.text,
                "skills": _skills_with_levels,
                "service_categories": sheets.a_list,
                "political_status": sheets.text,
                "languages": sheets.a_list,
                "consent_version": sheets.text,
                "guardian_consent": sheets.yes_no,
                "guardian_name": sheets.text,
                "guardian_phone": lambda v: sheets.identifier(v, "监护人电话"),
                "guardian_relation": sheets.text,
            },
        )
        bad = {p.column for p in problems}
        problems += [p for p in self._required(row, values) if p.column not in bad]
        problems += self._too_long(
            row,
            values,
            {"name": 30, "address": 100, "consent_version": 20, "guardian_name": 30},
        )
        return values, problems

    def _check(
        self, row: int, v: dict[str, Any], today: date, refs: dict[str, Any]
    ) -> list[Problem]:
        out: list[Problem] = []
        h = self.header
        idn = v["id_number"]
        if v["gender"] and v["gender"] not in GENDERS:
            out.append(Problem(row, h("gender"), "性别应为男或女"))
        elif idn and v["gender"] and GENDERS[v["gender"]] != gender_from_id(idn):
            out.append(Problem(row, h("gender"), "性别与身份证号码不一致"))
        if idn and v["birth_date"] and v["birth_date"] != birth_date_from_id(idn):
            out.append(Problem(row, h("birth_date"), "出生日期与身份证号码不一致"))
        if v["compound"] and v["compound"] not in refs["compounds"]:
            out.append(Problem(row, h("compound"), f"本社区没有名为“{v['compound']}”的小区"))
        unknown = [s for s in v["skills"] or [] if s not in refs["skills"]]
        if unknown:
            out.append(Problem(row, h("skills"), f"未知的专业技能：{'、'.join(unknown[:5])}"))
        unknown = [c for c in v["service_categories"] or [] if c not in refs["categories"]]
        if unknown:
            out.append(
                Problem(row, h("service_categories"), f"未知的服务类别：{'、'.join(unknown[:5])}")
            )
        if v["political_status"] and v["political_status"] not in refs["political"]:
            out.append(Problem(row, h("political_status"), "政治面貌不在可选范围内"))
        if idn and age_on(birth_date_from_id(idn), today) < volunteer_services.GUARDIAN_AGE:
            if not v["guardian_consent"]:
                out.append(Problem(row, h("guardian_consent"), "未满18周岁的志愿者须经监护人同意"))
            if not v["guardian_name"]:
                out.append(Problem(row, h("guardian_name"), "未满18周岁须填写监护人姓名"))
            try:
                validate_mobile(v["guardian_phone"] or "")
            except InvalidValue:
                out.append(Problem(row, h("guardian_phone"), "监护人电话应为11位手机号码"))
        return out

    def _refs(self) -> dict[str, Any]:
        skills: dict[str, str] = {}
        for code, name in SkillTag.objects.values_list("code", "name"):
            skills[code] = code
            skills[name] = code
        return {
            "skills": skills,
            "categories": {
                **{str(label): value for value, label in ServiceCategory.choices},
                **{value: value for value in ServiceCategory.values},
            },
            "political": {str(label): value for value, label in PoliticalStatus.choices},
            "compounds": dict(
                OrgUnit.objects.filter(parent=self.job.unit, level=Level.COMPOUND).values_list(
                    "name", "pk"
                )
            ),
        }

    def validate(self, rows, progress: Progress) -> list[Problem]:
        today = timezone.localdate()
        refs = self._refs()
        problems: list[Problem] = []
        first_row: dict[str, int] = {}
        for row, raw in rows:
            values, bad = self._parse(row, raw, today)
            problems += bad + self._check(row, values, today, refs)
            idn = values["id_number"]
            if idn:
                if idn in first_row:
                    problems.append(
                        Problem(
                            row,
                            self.header("id_number"),
                            f"身份证号码与第{first_row[idn]}行重复",
                        )
                    )
                else:
                    first_row[idn] = row
            progress.tick()
        ids = list(first_row)
        for i in range(0, len(ids), BATCH):
            for idn in Volunteer.objects.filter(id_number__in=ids[i : i + BATCH]).values_list(
                "id_number", flat=True
            ):
                problems.append(
                    Problem(first_row[idn], self.header("id_number"), "该身份证号码已登记为志愿者")
                )
        return problems

    def stage_rows(self, rows) -> Iterator[tuple[int, dict[str, Any]]]:
        """The checked rows as the arguments of `volunteer_register` (JSON-safe)."""
        today = timezone.localdate()
        refs = self._refs()
        for row, raw in rows:
            v, bad = self._parse(row, raw, today)
            if bad:  # the file changed between the passes (it cannot): refuse
                raise RowFailed(bad[0])
            yield (
                row,
                {
                    "name": v["name"],
                    "gender": GENDERS.get(v["gender"] or "", ""),
                    "birth_date": v["birth_date"].isoformat() if v["birth_date"] else None,
                    "id_number": v["id_number"],
                    "phone": v["phone"],
                    "skills": [refs["skills"][s] for s in v["skills"]],
                    "skill_levels": {
                        refs["skills"][s]: level for s, level in v["skills"].items() if level
                    },
                    "consent_version": v["consent_version"],
                    "guardian_consent": v["guardian_consent"],
                    "guardian_name": v["guardian_name"],
                    "guardian_phone": v["guardian_phone"],
                    "guardian_relation": v["guardian_relation"],
                    "compound_id": refs["compounds"].get(v["compound"]) if v["compound"] else None,
                    "address": v["address"],
                    "service_categories": [refs["categories"][c] for c in v["service_categories"]],
                    "languages": v["languages"],
                    "political_status": refs["political"].get(
                        v["political_status"], PoliticalStatus.MASSES
                    ),
                },
            )

    def publish(self, staged, progress: Progress) -> dict[str, Any]:
        today = timezone.localdate()
        actor, unit = self.job.uploaded_by, self.job.unit
        count = {"imported": 0, "minors": 0}

        def one(row: int, data: dict[str, Any]) -> None:
            volunteer = volunteer_services.volunteer_register(
                actor=actor,
                community_id=unit.pk,
                today=today,
                **{**data, "birth_date": _day(data["birth_date"])},
            )
            count["imported"] += 1
            if volunteer.age_on(today) < volunteer_services.GUARDIAN_AGE:
                count["minors"] += 1

        self._write_rows(staged, progress, one)
        return count


# --- service records --------------------------------------------------------------------------


@dataclass
class _Planned:
    row: int
    key: tuple[str, str]
    name: str
    day: date | None
    start: datetime | None
    end: datetime | None
    minutes: int | None
    what: tuple[str, ...] = ()  # title, place, content: the same service entered twice
    clean: bool = True


def _minutes(value: Any) -> int | None:
    n = sheets.an_int(value)
    if n is None:
        return None
    if n < 0:
        raise CellError("服务时长不能为负数")
    if n == 0:
        raise CellError("服务时长应至少为1分钟")
    if n > volunteer_services.MAX_MINUTES:
        raise CellError(
            f"服务时长不合理：一次服务不能超过{volunteer_services.MAX_MINUTES}分钟（24小时）"
        )
    return n


def _rating(value: Any) -> int | None:
    n = sheets.an_int(value)
    if n is not None and not 1 <= n <= 5:
        raise CellError("服务质量评价应为1到5")
    return n


class RecordImport(_Base):
    def _parse(self, row: int, raw: dict[str, Any], today: date, now: datetime):
        values, problems = self._cells(
            row,
            raw,
            {
                "volunteer_no": lambda v: sheets.identifier(v, "志愿者编号"),
                "id_number": lambda v: _id_number(v, today),
                "name": sheets.text,
                "title": sheets.text,
                "service_date": sheets.a_date,
                "start": sheets.a_time,
                "end": sheets.a_time,
                "minutes": _minutes,
                "place": sheets.text,
                "content": sheets.text,
                "person_in_charge": sheets.text,
                "beneficiary": sheets.text,
                "quality_rating": _rating,
            },
        )
        bad = {p.column for p in problems}
        problems += [p for p in self._required(row, values) if p.column not in bad]
        problems += self._too_long(
            row,
            values,
            {
                "title": 100,
                "place": 200,
                "content": 2000,
                "person_in_charge": 30,
                "beneficiary": 60,
            },
        )
        h = self.header
        day, start, end = values["service_date"], values["start"], values["end"]
        if (
            not values["volunteer_no"]
            and not values["id_number"]
            and h("id_number") not in bad
            and h("volunteer_no") not in bad
        ):
            problems.append(Problem(row, h("volunteer_no"), "请填写志愿者编号或身份证号码"))
        if day is not None and day > today:
            problems.append(Problem(row, h("service_date"), "服务日期不能晚于今天"))
        elif day is not None and day.year < 2000:
            problems.append(Problem(row, h("service_date"), "服务日期不合理"))
        started = ended = None
        if (start is None) != (end is None) and h("start") not in bad and h("end") not in bad:
            problems.append(
                Problem(row, h("start") if start is None else h("end"), "请同时填写开始和结束时间")
            )
        elif start is not None and end is not None and day is not None:
            started = timezone.make_aware(datetime.combine(day, start))
            ended = timezone.make_aware(datetime.combine(day, end))
            if ended <= started:
                problems.append(Problem(row, h("end"), "结束时间应晚于开始时间"))
                started = ended = None
            elif ended > now + volunteer_services.CLOCK_TOLERANCE:
                problems.append(Problem(row, h("end"), "不能记录尚未结束的服务"))
            elif values["minutes"] and values["minutes"] > (ended - started).seconds // 60:
                problems.append(Problem(row, h("minutes"), "服务时长不能超过起止时间之间的时长"))
        if (
            values["minutes"] is None
            and started is None
            and h("minutes") not in bad
            and h("start") not in bad
            and h("end") not in bad
            and (start is None and end is None)
        ):
            problems.append(Problem(row, h("minutes"), "请填写服务时长或起止时间"))
        if values["volunteer_no"]:
            key = ("no", values["volunteer_no"])
        else:
            key = ("id", values["id_number"] or "")
        minutes = values["minutes"]
        if minutes is None and started and ended:
            minutes = int((ended - started).total_seconds() // 60)
        what = (values["title"] or "", values["place"] or "", values["content"] or "")
        plan = _Planned(row, key, values["name"], day, started, ended, minutes, what)
        return values, problems, plan

    def _volunteers(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Volunteer]:
        found: dict[tuple[str, str], Volunteer] = {}
        for kind, field in (("no", "volunteer_no"), ("id", "id_number")):
            wanted = [k for t, k in keys if t == kind and k]
            for i in range(0, len(wanted), BATCH):
                for v in Volunteer.objects.filter(**{f"{field}__in": wanted[i : i + BATCH]}):
                    found[(kind, getattr(v, field))] = v
        return found

    def validate(self, rows, progress: Progress) -> list[Problem]:
        today, now = timezone.localdate(), timezone.now()
        problems: list[Problem] = []
        plans: list[_Planned] = []
        for row, raw in rows:
            _values, bad, plan = self._parse(row, raw, today, now)
            problems += bad
            if plan.key[1]:
                plan.clean = not bad
                plans.append(plan)
            progress.tick()
        volunteers = self._volunteers({p.key for p in plans})
        h = self.header
        by_volunteer: dict[int, list[_Planned]] = defaultdict(list)
        for p in plans:
            v = volunteers.get(p.key)
            column = h("volunteer_no") if p.key[0] == "no" else h("id_number")
            if v is None:
                problems.append(Problem(p.row, column, "未找到该志愿者，请先登记"))
            elif p.name and p.name != v.name:
                problems.append(Problem(p.row, h("name"), "姓名与登记的志愿者不一致"))
            elif not v.is_active:
                problems.append(Problem(p.row, column, "该志愿者已不在册"))
            elif p.clean and p.day is not None and p.minutes:
                # Overlaps and duplicates only among rows that are otherwise right.
                by_volunteer[v.pk].append(p)
        problems += self._overlaps(by_volunteer)
        return problems

    def _overlaps(self, by_volunteer: dict[int, list[_Planned]]) -> list[Problem]:
        """Stated periods overlapping each other or existing records; day totals over 24 h."""
        h = self.header
        problems: list[Problem] = []
        ids = list(by_volunteer)
        existing_minutes: dict[tuple[int, date], int] = {}
        existing_periods: dict[int, list[tuple[datetime, datetime, str]]] = defaultdict(list)
        for i in range(0, len(ids), BATCH):
            chunk = ids[i : i + BATCH]
            days = [p.day for vid in chunk for p in by_volunteer[vid] if p.day]
            lo, hi = min(days), max(days)
            live = ServiceRecord.objects.filter(
                volunteer_id__in=chunk, service_date__gte=lo, service_date__lte=hi
            ).exclude(status=ServiceRecord.Status.FALSIFIED)
            for vid, day, total in (
                live.values("volunteer_id", "service_date")
                .annotate(m=Sum("minutes"))
                .values_list("volunteer_id", "service_date", "m")
            ):
                existing_minutes[(vid, day)] = total or 0
            for vid, s, e, title in live.filter(
                period_estimated=False, started_at__isnull=False
            ).values_list("volunteer_id", "started_at", "ended_at", "title"):
                existing_periods[vid].append((s, e, title))
        for vid, plans in by_volunteer.items():
            seen: dict[tuple[Any, ...], int] = {}
            for p in plans:
                same = (p.day, p.start, p.end, p.minutes, p.what)
                if same in seen:
                    problems.append(
                        Problem(
                            p.row,
                            h("title"),
                            f"与第{seen[same]}行是同一条服务记录（重复）；如确为两次服务，请填写起止时间",
                        )
                    )
                else:
                    seen[same] = p.row
            day_total: dict[date, int] = defaultdict(int)
            stated = sorted((p for p in plans if p.start), key=lambda p: p.start)  # type: ignore[arg-type, return-value]
            for a, b in zip(stated, stated[1:], strict=False):
                if b.start < a.end:  # type: ignore[operator]
                    problems.append(
                        Problem(b.row, h("start"), f"与第{a.row}行同一志愿者的服务时段重叠")
                    )
            for p in stated:
                for s, e, title in existing_periods.get(vid, []):
                    if s < p.end and e > p.start:  # type: ignore[operator]
                        local = timezone.localtime
                        problems.append(
                            Problem(
                                p.row,
                                h("start"),
                                f"与该志愿者已有的服务记录“{title}”"
                                f"（{local(s):%m-%d %H:%M}–{local(e):%H:%M}）时间重叠",
                            )
                        )
                        break
            for p in sorted(plans, key=lambda p: p.row):
                assert p.day is not None and p.minutes is not None
                day_total[p.day] += p.minutes
                served = existing_minutes.get((vid, p.day), 0) + day_total[p.day]
                if served > volunteer_services.MAX_MINUTES:
                    problems.append(
                        Problem(
                            p.row,
                            h("minutes"),
                            f"该志愿者{p.day:%Y-%m-%d}合计服务{served}分钟，超过24小时，"
                            "服务时段必然重叠",
                        )
                    )
        return problems

    def stage_rows(self, rows) -> Iterator[tuple[int, dict[str, Any]]]:
        """The checked rows as the arguments of `service_record_create` (JSON-safe)."""
        today, now = timezone.localdate(), timezone.now()
        found: dict[tuple[str, str], Volunteer] = {}
        for row, raw in rows:
            v, bad, plan = self._parse(row, raw, today, now)
            if bad:  # the file changed between the passes (it cannot): refuse
                raise RowFailed(bad[0])
            if plan.key not in found:
                found.update(self._volunteers({plan.key}))
            volunteer = found.get(plan.key)
            if volunteer is None:
                raise RowFailed(
                    Problem(row, self.header("volunteer_no"), "未找到该志愿者，请先登记")
                )
            yield (
                row,
                {
                    "volunteer_id": volunteer.pk,
                    "title": v["title"],
                    "service_date": v["service_date"].isoformat(),
                    "place": v["place"],
                    "content": v["content"],
                    "minutes": v["minutes"],
                    "person_in_charge": v["person_in_charge"],
                    "beneficiary": v["beneficiary"],
                    "started_at": plan.start.isoformat() if plan.start else None,
                    "ended_at": plan.end.isoformat() if plan.end else None,
                    "quality_rating": v["quality_rating"],
                },
            )

    def publish(self, staged, progress: Progress) -> dict[str, Any]:
        now = timezone.now()
        volunteers: dict[int, Volunteer] = {}
        count = {"imported": 0, "late": 0}
        actor, unit = self.job.uploaded_by, self.job.unit

        def one(row: int, data: dict[str, Any]) -> None:
            vid = data["volunteer_id"]
            if vid not in volunteers:
                volunteers.update(Volunteer.objects.in_bulk([vid]))
            volunteer = volunteers.get(vid)
            if volunteer is None:
                raise NotFound("未找到该志愿者，请先登记")
            record = volunteer_services.service_record_create(
                recorder=actor,
                volunteer=volunteer,
                title=data["title"],
                service_date=_day(data["service_date"]),
                place=data["place"],
                content=data["content"],
                minutes=data["minutes"],
                organiser_unit=unit,
                person_in_charge=data["person_in_charge"],
                beneficiary=data["beneficiary"],
                started_at=_moment(data["started_at"]),
                ended_at=_moment(data["ended_at"]),
                quality_rating=data["quality_rating"],
                source="",
                now=now,
            )
            count["imported"] += 1
            if record.status == ServiceRecord.Status.PENDING:
                count["late"] += 1

        self._write_rows(staged, progress, one)
        return count
