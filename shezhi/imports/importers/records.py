"""Importing service records (one row per service), checked for overlaps and daily totals."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from shezhi.core.errors import ItemRefused, NotFound
from shezhi.imports import sheets
from shezhi.imports.importers.base import (
    BATCH,
    ImportBase,
    Progress,
    RowFailed,
    id_number_cell,
    parse_day,
    parse_moment,
)
from shezhi.imports.sheets import CellError, Problem
from shezhi.volunteers import services as volunteer_services
from shezhi.volunteers.models import (
    ServiceRecord,
    Volunteer,
)


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


class RecordImport(ImportBase):
    def _parse(self, row: int, raw: dict[str, Any], today: date, now: datetime):
        values, problems = self._cells(
            row,
            raw,
            {
                "volunteer_no": lambda v: sheets.identifier(v, "志愿者编号"),
                "id_number": lambda v: id_number_cell(v, today),
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
        count = {"imported": 0, "late": 0}

        def many(rows: list[dict[str, Any]]) -> None:
            volunteers = Volunteer.objects.in_bulk({data["volunteer_id"] for data in rows})
            for index, data in enumerate(rows):
                if data["volunteer_id"] not in volunteers:
                    raise ItemRefused(index, NotFound("未找到该志愿者，请先登记"))
            records = volunteer_services.service_records_create_many(
                recorder=self.job.uploaded_by,
                organiser_unit=self.job.unit,
                now=now,
                entries=[_entry(data, volunteers[data["volunteer_id"]]) for data in rows],
            )
            count["imported"] += len(records)
            count["late"] += sum(r.status == ServiceRecord.Status.PENDING for r in records)

        self._write_batches(staged, progress, many)
        return count


def _entry(data: dict[str, Any], volunteer: Volunteer) -> volunteer_services.RecordEntry:
    return volunteer_services.RecordEntry(
        volunteer=volunteer,
        title=data["title"],
        service_date=parse_day(data["service_date"]),
        place=data["place"],
        content=data["content"],
        minutes=data["minutes"],
        person_in_charge=data["person_in_charge"],
        beneficiary=data["beneficiary"],
        started_at=parse_moment(data["started_at"]),
        ended_at=parse_moment(data["ended_at"]),
        quality_rating=data["quality_rating"],
    )
