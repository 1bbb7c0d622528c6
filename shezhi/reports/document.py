"""What a report says, as plain data (pure; no Django import): the PDF and the workbook are both
drawn from one ReportDocument, and an issued version keeps it as JSON beside its files, so that
what was issued can be read again exactly, whatever the data say later."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

DASH = "—"


@dataclass(frozen=True)
class FigureLine:
    """One figure of the report's table, already formatted ("<5" when suppressed)."""

    code: str
    group: str  # the group's Chinese label (志愿者, 活动 …)
    name: str
    unit: str
    shown: str
    previous_shown: str
    last_year_shown: str
    change: float | None  # relative change against the previous period
    definition: str = ""


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar per label. `horizontal` for rankings (long unit names)."""

    title: str
    unit: str
    labels: tuple[str, ...]
    values: tuple[float | None, ...]  # None = suppressed or not available
    horizontal: bool = False


@dataclass(frozen=True)
class Highlights:
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class ReportDocument:
    title: str  # e.g. 某某街道社工站月报
    unit_name: str
    period_label: str  # e.g. 2026年11月
    status_label: str  # 草稿 / 第 2 版
    generated_at: datetime  # local time
    platform: str
    figures: Sequence[FigureLine] = ()
    charts: Sequence[Chart] = ()
    highlights: Sequence[Highlights] = ()
    narrative: str = ""
    author: str = ""  # the unit or station that issues it
    draft: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)


def change_text(change: float | None) -> str:
    """+12.5% / -3.0% / 持平; a dash when there is nothing to compare with."""
    if change is None:
        return DASH
    if abs(change) < 0.0005:
        return "持平"
    return f"{change * 100:+.1f}%"


def to_json(doc: ReportDocument) -> dict[str, Any]:
    data = asdict(doc)
    data["generated_at"] = doc.generated_at.isoformat()
    return data


def from_json(data: Mapping[str, Any]) -> ReportDocument:
    return ReportDocument(
        title=data["title"],
        unit_name=data["unit_name"],
        period_label=data["period_label"],
        status_label=data["status_label"],
        generated_at=datetime.fromisoformat(data["generated_at"]),
        platform=data["platform"],
        figures=tuple(FigureLine(**f) for f in data.get("figures", ())),
        charts=tuple(
            Chart(**{**c, "labels": tuple(c["labels"]), "values": tuple(c["values"])})
            for c in data.get("charts", ())
        ),
        highlights=tuple(
            Highlights(title=h["title"], items=tuple(h["items"]))
            for h in data.get("highlights", ())
        ),
        narrative=data.get("narrative", ""),
        author=data.get("author", ""),
        draft=bool(data.get("draft", True)),
        extra=dict(data.get("extra", {})),
    )
