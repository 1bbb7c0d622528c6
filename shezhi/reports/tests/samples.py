"""Hand-built report documents for the renderers' tests (no database)."""

from datetime import datetime

from shezhi.reports.document import Chart, FigureLine, Highlights, ReportDocument


def lines(n: int = 6) -> list[FigureLine]:
    groups = ("志愿者", "活动", "需求")
    return [
        FigureLine(
            code=f"f{i}",
            group=groups[i % 3],
            name=f"注册志愿者{i}" if i else "注册志愿者",
            unit="名",
            shown=f"{1000 + i * 37:,}",
            previous_shown="980",
            last_year_shown="—" if i % 4 == 3 else "750",
            change=None if i % 4 == 3 else 0.125,
            definition="截至期末在册、状态为有效的志愿者人数（不含已注销）",
        )
        for i in range(n)
    ] + [
        FigureLine(
            code="crisis",
            group="需求",
            name="危机预警",
            unit="条",
            shown="<5",
            previous_shown="<5",
            last_year_shown="7",
            change=None,
            definition="期内触发的危机预警条数",
        )
    ]


def document(*, draft: bool = True, narrative: str = "本月开展助老服务，居民满意。", **kw):
    fields = {
        "title": "幸福街道社工站月报",
        "unit_name": "幸福街道",
        "period_label": "2026年11月",
        "status_label": "草稿" if draft else "第 1 版",
        "generated_at": datetime(2026, 12, 1, 9, 30),
        "platform": "社志通",
        "figures": tuple(lines()),
        "charts": (
            Chart(
                "注册志愿者（近6个月）",
                "名",
                ("6月", "7月", "8月", "9月", "10月", "11月"),
                (900.0, 920.0, 950.0, None, 980.0, 1000.0),
            ),
            Chart(
                "各社区注册志愿者",
                "名",
                ("阳光社区", "=HYPERLINK(1)", "和平社区"),
                (500.0, 300.0, None),
                horizontal=True,
            ),
        ),
        "highlights": (
            Highlights(
                "参与人次最多的活动", ("重阳节敬老活动（11月9日，阳光社区）：参与 120 人次",)
            ),
            Highlights("已解决的需求", ("助餐 12 件、维修 8 件",)),
        ),
        "narrative": narrative,
        "author": "幸福街道社工站",
        "draft": draft,
    }
    fields.update(kw)
    return ReportDocument(**fields)
