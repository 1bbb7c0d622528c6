"""The catalogue of figures (统计口径): every number the platform reports, defined once.

Each figure has a code (stable, used in URLs and the API), a Chinese name, a plain-Chinese
definition that says exactly what is counted, its unit, its group, whether small counts are
suppressed ("<5") for those who may not see the list behind it, whether it is a stock (a level at
the period's end) or a flow (events within the period), the breakdowns it accepts, and the desk
list it drills down to. How each is computed lives in `measures.py`, next to this definition.
"""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from shezhi.core.errors import InvalidInput
from shezhi.figures.errors import FigureError


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    definition: str
    unit: str
    group: str
    sensitive: bool = False
    stock: bool = False
    breakdowns: tuple[str, ...] = ()
    list_url: str | None = None


GROUPS: dict[str, str] = {
    "volunteers": _("志愿者与队伍"),
    "activities": _("志愿活动"),
    "needs": _("群众需求"),
    "care": _("关爱走访"),
    "cases": _("个案服务"),
    "timebank": _("时间银行"),
    "partners": _("共建单位"),
}

# Labels of the breakdown keys (figure_breakdown's `by`).
BREAKDOWNS: dict[str, str] = {
    "age_band": _("年龄段"),
    "party": _("政治面貌"),
    "star": _("星级"),
    "team_type": _("队伍类型"),
    "category": _("类别"),
    "urgency": _("紧急程度"),
    "problem_type": _("问题类型"),
    "institution_kind": _("转介机构类型"),
    "benefit_kind": _("救助类型"),
    "risk_level": _("风险等级"),
}

_PLACE_RECORD = _(
    "记入服务记录的组织单元（未填组织单元的，记入志愿者所属社区）；记录改到别的单元后，随之计入新单元。"
)


def _joined(*parts: str) -> str:
    return format_lazy("{}" * len(parts), *parts)


_VOLUNTEER_BANDS = ("age_band", "party", "star")

_FIGURES: list[Figure] = [
    # 志愿者与队伍 ----------------------------------------------------------------------------
    Figure(
        code="volunteers_registered",
        name=_("注册志愿者"),
        definition=_(
            "统计期末在册的志愿者人数：注册日期不晚于期末、目前仍在册（未注销）的志愿者，"
            "按其所属社区计。按当前在册状态计算：已注销的志愿者不计入任何期间。"
            "年龄段按统计年份减出生年份计算。"
        ),
        unit="名",
        group="volunteers",
        stock=True,
        breakdowns=_VOLUNTEER_BANDS,
        list_url="desk:volunteers",
    ),
    Figure(
        code="volunteers_active",
        name=_("活跃志愿者"),
        definition=_(
            "统计期内至少有一条有效（已认定）服务记录的志愿者人数，同一人只计一次。"
            "按服务记录所在单元计：在两个社区都服务过的志愿者，在每个社区各计一次，"
            "在街道合计中只计一次。"
        ),
        unit="名",
        group="volunteers",
        breakdowns=_VOLUNTEER_BANDS,
        list_url="desk:volunteers",
    ),
    Figure(
        code="teams",
        name=_("志愿服务队"),
        definition=_(
            "统计期末已成立的志愿服务队数：成立（登记）日期不晚于期末、目前状态为“已成立”的队伍，"
            "按队伍所属社区计；已解散或未通过审核的不计。"
        ),
        unit="支",
        group="volunteers",
        stock=True,
        breakdowns=("team_type",),
        list_url="desk:teams",
    ),
    Figure(
        code="service_hours",
        name=_("志愿服务时长"),
        definition=_joined(
            _(
                "服务日期在统计期内、状态为“有效”的志愿服务记录的时长之和（小时，保留一位小数）。"
                "更正后的记录按更正后的时长计；逾期待审批、待社工确认、未获批准和认定弄虚作假的记录不计。"
            ),
            _PLACE_RECORD,
        ),
        unit="小时",
        group="volunteers",
        breakdowns=("category",),
        list_url="desk:records",
    ),
    Figure(
        code="service_records",
        name=_("志愿服务记录"),
        definition=_joined(
            _("服务日期在统计期内、状态为“有效”的志愿服务记录条数。"), _PLACE_RECORD
        ),
        unit="条",
        group="volunteers",
        breakdowns=("category",),
        list_url="desk:records",
    ),
    # 志愿活动 --------------------------------------------------------------------------------
    Figure(
        code="activities_held",
        name=_("开展活动"),
        definition=_(
            "开始日期在统计期内、组织者已确认考勤（状态为“已结束”）的志愿活动场数，"
            "按活动的组织单元计；已取消、草稿和尚未结束的活动不计。"
        ),
        unit="场",
        group="activities",
        breakdowns=("category",),
        list_url="activities:desk_list",
    ),
    Figure(
        code="participants_times",
        name=_("活动参与人次"),
        definition=_(
            "统计期内开展（已结束）的活动中签到的志愿者人次：一人参加两场计两人次。"
            "按活动开始日期和组织单元计。"
        ),
        unit="人次",
        group="activities",
        breakdowns=("category",),
        list_url="activities:desk_list",
    ),
    Figure(
        code="participants_distinct",
        name=_("活动参与人数"),
        definition=_(
            "统计期内开展（已结束）的活动中签到的志愿者人数，同一人只计一次（按志愿者去重）。"
        ),
        unit="人",
        group="activities",
        list_url="activities:desk_list",
    ),
    Figure(
        code="people_served_times",
        name=_("服务群众人次"),
        definition=_(
            "统计期内开展（已结束）的活动登记的服务对象人次（登记到人的居民加未登记的现场人数），"
            "加上统计期内办结、登记了服务对象的需求件数。活动按开始日期、需求按办结日期计。"
        ),
        unit="人次",
        group="activities",
    ),
    Figure(
        code="people_served_distinct",
        name=_("服务群众人数"),
        definition=_(
            "统计期内在已结束的活动中登记到人、或其需求在统计期内办结的居民人数，同一居民只计一次"
            "（按居民档案去重；未登记到人的现场人数无法去重，不计入）。"
        ),
        unit="人",
        group="activities",
    ),
    # 群众需求 --------------------------------------------------------------------------------
    Figure(
        code="needs_received",
        name=_("受理需求"),
        definition=_(
            "登记日期在统计期内的需求件数（居民点单、走访、电话、网格员上报、议事会各来源），"
            "按需求所在社区（网格）计；之后取消的也计入。"
        ),
        unit="件",
        group="needs",
        breakdowns=("category", "urgency"),
        list_url="desk:needs",
    ),
    Figure(
        code="needs_solved",
        name=_("解决需求"),
        definition=_(
            "办结日期在统计期内、目前状态为“已办结”或“已评价”的需求件数。"
            "取消、无法办理的不计；评价后重新受理的需求，重新办结前不计，重新办结后按新的办结日期计。"
        ),
        unit="件",
        group="needs",
        breakdowns=("category", "urgency"),
        list_url="desk:needs",
    ),
    Figure(
        code="needs_on_time",
        name=_("按时办结需求"),
        definition=_("“解决需求”中办结时间不晚于办结期限的件数。"),
        unit="件",
        group="needs",
        breakdowns=("category", "urgency"),
        list_url="desk:needs",
    ),
    Figure(
        code="needs_on_time_rate",
        name=_("按时办结率"),
        definition=_(
            "按时办结需求件数除以解决需求件数，以百分数表示，保留一位小数；没有解决需求时不计算。"
        ),
        unit="%",
        group="needs",
        breakdowns=("category", "urgency"),
    ),
    Figure(
        code="needs_rating_avg",
        name=_("需求平均评分"),
        definition=_(
            "评价时间在统计期内的需求的居民评分（1–5分）的平均值，保留一位小数；没有评价时不计算。"
        ),
        unit="分",
        group="needs",
        breakdowns=("category",),
    ),
    Figure(
        code="needs_reopened",
        name=_("低评分后重新受理"),
        definition=_(
            "统计期内因居民低评分（2分及以下）经社工复核后重新受理的次数；同一需求重新受理两次计两次。"
        ),
        unit="件",
        group="needs",
        list_url="desk:needs",
    ),
    # 关爱走访 --------------------------------------------------------------------------------
    Figure(
        code="care_registry",
        name=_("关爱对象"),
        definition=_(
            "统计期末在册的关爱对象人数：建档日期不晚于期末、目前仍在册的，按其所在社区（网格）计。"
        ),
        unit="人",
        group="care",
        stock=True,
        breakdowns=("risk_level",),
        list_url="care:registry",
    ),
    Figure(
        code="care_contacts_coverage",
        name=_("一对一联系人覆盖率"),
        definition=_(
            "在册关爱对象中目前有一对一联系人（联系人安排未结束）的人数，除以在册关爱对象人数，"
            "以百分数表示，保留一位小数；按当前联系人安排计算。"
        ),
        unit="%",
        group="care",
        stock=True,
        list_url="care:coverage",
    ),
    Figure(
        code="care_visits",
        name=_("走访人次"),
        definition=_(
            "走访日期在统计期内的走访记录条数（上门、电话、视频、第三方），按被走访对象所在社区计。"
        ),
        unit="人次",
        group="care",
        list_url="care:registry",
    ),
    Figure(
        code="care_visits_overdue",
        name=_("走访逾期"),
        definition=_("统计期内因走访逾期而发出的提醒件数（同一对象每次逾期计一次）。"),
        unit="件",
        group="care",
        list_url="care:alerts",
    ),
    Figure(
        code="crisis_alerts",
        name=_("危机预警"),
        definition=_("统计期内发出的危机信号预警件数，按对象所在社区计。"),
        unit="件",
        group="care",
        sensitive=True,
        list_url="care:alerts",
    ),
    Figure(
        code="crisis_ack_minutes",
        name=_("危机预警平均确认时长"),
        definition=_(
            "统计期内发出并已确认的危机预警，从发出到确认所用时间的平均值（分钟，取整）；"
            "尚未确认的不计入。"
        ),
        unit="分钟",
        group="care",
        sensitive=True,
        list_url="care:alerts",
    ),
    # 个案服务 --------------------------------------------------------------------------------
    Figure(
        code="cases_opened",
        name=_("新接个案"),
        definition=_("接案日期在统计期内的个案数，按个案所在社区计。"),
        unit="件",
        group="cases",
        sensitive=True,
        breakdowns=("problem_type",),
        list_url="cases:list",
    ),
    Figure(
        code="cases_closed",
        name=_("结案个案"),
        definition=_("结案日期在统计期内、结案后未重开的结案次数，按个案所在社区计。"),
        unit="件",
        group="cases",
        sensitive=True,
        breakdowns=("problem_type",),
        list_url="cases:list",
    ),
    Figure(
        code="referrals",
        name=_("转介"),
        definition=_("发出（转出）或接收（转入）时间在统计期内的转介件数，按个案所在社区计。"),
        unit="件",
        group="cases",
        sensitive=True,
        breakdowns=("institution_kind",),
        list_url="cases:list",
    ),
    Figure(
        code="benefit_tasks_done",
        name=_("代办救助事项获批"),
        definition=_(
            "统计期内获批的代办救助事项件数（低保、残疾证、特困供养等），以事项最后更新日期计，"
            "按个案所在社区计。"
        ),
        unit="件",
        group="cases",
        sensitive=True,
        breakdowns=("benefit_kind",),
        list_url="cases:list",
    ),
    # 时间银行 --------------------------------------------------------------------------------
    Figure(
        code="coins_deposited",
        name=_("时间币存入"),
        definition=_(
            "统计期内审核通过、存入账户的时间币数（按办结日期计，冲正的存入不计），按账户所属社区计。"
        ),
        unit="枚",
        group="timebank",
        breakdowns=("category",),
        list_url="timebank:desk",
    ),
    Figure(
        code="coins_spent",
        name=_("时间币兑换"),
        definition=_("统计期内兑换服务所支出的时间币数，按支出账户所属社区计；转赠亲属不计。"),
        unit="枚",
        group="timebank",
        list_url="timebank:desk",
    ),
    # 共建单位 --------------------------------------------------------------------------------
    Figure(
        code="partners_active",
        name=_("共建合作单位"),
        definition=_(
            "统计期末有效的合作单位数：登记日期不晚于期末、目前仍有效的，按其服务范围所在单元计。"
        ),
        unit="家",
        group="partners",
        stock=True,
    ),
]

FIGURES: dict[str, Figure] = {f.code: f for f in _FIGURES}


def figure(code: str) -> Figure:
    try:
        return FIGURES[code]
    except KeyError:
        raise InvalidInput(
            f"没有编码为“{code}”的统计指标", field="code", code=FigureError.UNKNOWN_FIGURE
        ) from None
