"""Importing volunteers (one row per volunteer)."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.utils import timezone

from shezhi.core.ages import age_on
from shezhi.core.validators import (
    InvalidValue,
    birth_date_from_id,
    gender_from_id,
    validate_mobile,
)
from shezhi.imports import sheets
from shezhi.imports.importers.base import (
    BATCH,
    GENDERS,
    ImportBase,
    Progress,
    RowFailed,
    id_number_cell,
    parse_day,
    phone_cell,
)
from shezhi.imports.sheets import CellError, Problem
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers import services as volunteer_services
from shezhi.volunteers.models import (
    SKILL_LEVELS,
    PoliticalStatus,
    ServiceCategory,
    SkillTag,
    Volunteer,
    split_skill_level,
)


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


class VolunteerImport(ImportBase):
    def _parse(self, row: int, raw: dict[str, Any], today: date):
        values, problems = self._cells(
            row,
            raw,
            {
                "name": sheets.text,
                "id_number": lambda v: id_number_cell(v, today),
                "gender": sheets.text,
                "birth_date": sheets.a_date,
                "phone": phone_cell,
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
        count = {"imported": 0, "minors": 0}

        def many(rows: list[dict[str, Any]]) -> None:
            volunteers = volunteer_services.volunteers_register_many(
                actor=self.job.uploaded_by,
                community_id=self.job.unit.pk,
                today=today,
                registrations=[
                    volunteer_services.Registration(
                        **{**data, "birth_date": parse_day(data["birth_date"])}
                    )
                    for data in rows
                ],
            )
            count["imported"] += len(volunteers)
            count["minors"] += sum(
                v.age_on(today) < volunteer_services.GUARDIAN_AGE for v in volunteers
            )

        self._write_batches(staged, progress, many)
        return count
