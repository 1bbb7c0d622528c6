"""What the platform keeps about a person, for how long and why (pure; no Django import).

One table, shown to the resident before a deletion, to the worker who answers it and in the
export, and walked by the retention job. Periods come from settings (SHEZHI_RETENTION_*)."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Periods:
    need_years: int
    visit_years: int
    case_years: int
    notification_days: int


@dataclass(frozen=True)
class RecordRule:
    code: str
    label: str
    on_deletion: str  # what a deletion request does to these records
    period: str  # how long they are kept
    why: str  # the rule that makes the platform keep them


def rules(p: Periods) -> tuple[RecordRule, ...]:
    return (
        RecordRule(
            "resident",
            "居民档案（姓名、身份证号、手机号、地址、出生日期）",
            "删除：姓名、身份证号、手机号、地址清除，出生日期只留年份；性别、所属网格保留用于统计",
            "办理删除后立即删除；有在办或保存期内个案时，待个案保存期满后删除",
            "《个人信息保护法》第47条",
        ),
        RecordRule(
            "account",
            "登录账号",
            "注销：账号停用，用户名、姓名、手机号清除",
            "办理删除后立即注销",
            "《个人信息保护法》第47条",
        ),
        RecordRule(
            "need",
            "需求（点单）记录",
            "删除需求描述、地址、联系电话和评价文字；类别、状态、时间保留用于统计",
            f"办结后保存{p.need_years}年，期满自动删除上述文字",
            "服务统计与考核需要计数，不需要个人信息",
        ),
        RecordRule(
            "care",
            "关爱走访记录",
            "删除走访说明文字；走访日期、方式保留用于走访率统计",
            f"走访后保存{p.visit_years}年，期满自动删除说明文字",
            "民政部等九部门关于特殊困难老年人探访关爱的要求（走访率统计）",
        ),
        RecordRule(
            "case",
            "个案档案",
            "保留：在办个案及结案后保存期内的个案档案不删除（内容加密保存，仅个案团队可查）",
            f"结案后保存{p.case_years}年，期满删除档案内容并删除居民身份信息",
            "社会工作个案档案保存要求（MZ/T 094-2017）；保护服务对象安全的法定职责"
            "（《个人信息保护法》第13条）",
        ),
        RecordRule(
            "volunteer",
            "志愿服务记录",
            "保留：服务时间、内容、组织单位、志愿者编号和已出具的服务证明保留；"
            "志愿者档案中的姓名、身份证号、手机号删除",
            "长期保存",
            "《志愿服务条例》第19条；《志愿服务记录与证明出具办法（试行）》",
        ),
        RecordRule(
            "notification",
            "站内消息与短信记录",
            "删除其中的手机号",
            f"保存{p.notification_days}天，期满自动删除",
            "送达记录只在短期内需要",
        ),
        RecordRule(
            "audit",
            "操作审计日志",
            "保留日志条目，删除其中的姓名、身份证号和手机号",
            "不少于3年",
            "《个人信息保护法》第55、56条（处理记录至少保存3年）",
        ),
    )


def cutoff(today: date, *, years: int = 0, days: int = 0) -> date:
    """The last day a record may end on and still be past its period (years of 365 days;
    a few days' drift over a decade does not matter for retention)."""
    return today - timedelta(days=years * 365 + days)
