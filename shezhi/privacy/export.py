"""What the platform holds about one resident (PIPL art. 45: 查阅、复制), as plain sections that
the page shows, the API returns as JSON and pdf.py lays out. Unmasked: it is the resident's own
data (or read for them by a worker in scope; every read is audited)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities.models import Beneficiary
from shezhi.care.models import CareProfile, Visit
from shezhi.cases.models import Case
from shezhi.core import audit
from shezhi.core.errors import DomainError
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require
from shezhi.needs.models import Need
from shezhi.people.models import Resident
from shezhi.privacy.errors import PrivacyError
from shezhi.privacy.models import RightsRequest
from shezhi.privacy.pdf import render_pdf
from shezhi.privacy.permissions import DataAction, data_actions_for
from shezhi.privacy.selectors import record_rules
from shezhi.proofs.pdf import FontUnavailable
from shezhi.timebank.models import Account
from shezhi.volunteers.models import ServiceRecord, Volunteer

Section = dict[str, Any]  # {"key", "title", "items": [{label: value}], "note"}
ROW_LIMIT = 500  # per section; the export says when more exist


def _v(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _section(key: str, title: str, items: list[dict[str, Any]], note: str = "") -> Section:
    rows = [{k: _v(v) for k, v in item.items()} for item in items[:ROW_LIMIT]]
    if len(items) > ROW_LIMIT:
        note = (note + " " if note else "") + f"共{len(items)}条，此处列出前{ROW_LIMIT}条。"
    return {"key": key, "title": title, "items": rows, "note": note}


def _basic(r: Resident) -> Section:
    return _section(
        "resident",
        "基本信息",
        [
            {
                "姓名": r.name,
                "性别": r.get_gender_display(),
                "出生日期": r.birth_date,
                "身份证号码": r.id_number,
                "手机号": r.phone,
                "社区": r.community.name,
                "小区": r.compound.name,
                "网格": r.grid.name,
                "详细地址": r.address,
                "家庭户": r.household.address if r.household_id else "",
                "关爱标签": "、".join(t.name for t in r.tags.all()),
                "短信通知": r.sms_notices,
                "同意书版本": r.consent_version,
                "同意时间": r.consent_at,
                "登记时间": r.created_at,
            }
        ],
    )


def _account(user: User | None) -> Section:
    items = []
    if user is not None:
        items.append(
            {
                "用户名": user.username,
                "姓名": user.display_name,
                "手机号": user.phone,
                "注册时间": user.date_joined,
                "最近登录": user.last_login,
            }
        )
    return _section("account", "登录账号", items)


def _needs(r: Resident) -> Section:
    needs = Need.objects.filter(resident=r).select_related("category").order_by("-created_at")
    items = [
        {
            "编号": n.pk,
            "类别": n.category.name,
            "标题": n.title,
            "描述": n.description,
            "状态": n.get_status_display(),
            "提出时间": n.created_at,
            "办结时间": n.completed_at,
            "地址": n.address,
            "联系电话": n.contact_phone,
            "评价": n.rating_comment,
        }
        for n in needs
    ]
    return _section("needs", "需求（点单）", items)


def _care(r: Resident) -> Section:
    items: list[dict[str, Any]] = []
    profile = CareProfile.objects.filter(resident=r).first()
    if profile is not None:
        items.append(
            {
                "记录": "关爱建档",
                "风险等级": profile.get_risk_level_display(),
                "原因": profile.risk_reasons,
                "建档日期": profile.registered_on,
                "在册": profile.is_active,
            }
        )
    for v in Visit.objects.filter(resident=r).order_by("-visited_on", "-id"):
        notes = [v.health_note, v.meals_note, v.safety_note, v.mood_note, v.living_note]
        items.append(
            {
                "记录": "走访",
                "日期": v.visited_on,
                "方式": v.get_mode_display(),
                "见到本人": v.contact_made,
                "说明": "；".join(x for x in [*notes, v.needs_note, v.note] if x),
            }
        )
    return _section("care", "关爱走访", items)


def _volunteering(user: User | None, r: Resident) -> Section:
    volunteer = Volunteer.objects.filter(id_number=r.id_number).first()
    if volunteer is None and user is not None:
        volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        return _section("volunteer", "志愿服务", [])
    records = ServiceRecord.objects.filter(volunteer=volunteer).order_by("-service_date", "-id")
    total = records.aggregate(h=Sum("hours"))["h"] or Decimal(0)
    items: list[dict[str, Any]] = [{"志愿者编号": volunteer.volunteer_no, "累计记录时长": total}]
    items += [
        {"服务日期": s.service_date, "活动名称": s.title, "时长（小时）": s.hours, "状态": s.status}
        for s in records
    ]
    return _section("volunteer", "志愿服务", items)


def _other(r: Resident) -> list[Section]:
    accounts = [
        {"时间银行账号": a.account_no, "类型": a.get_kind_display()}
        for a in Account.objects.filter(resident=r)
    ]
    served = [
        {"活动": b.activity.title, "时间": b.activity.starts_at}
        for b in Beneficiary.objects.filter(resident=r).select_related("activity")
    ]
    cases = [
        {"个案编号": c.pk, "阶段": c.get_status_display(), "接案日期": c.opened_on}
        for c in Case.objects.filter(client=r).order_by("-opened_on")
    ]
    requests = [
        {
            "编号": q.pk,
            "类型": q.get_kind_display(),
            "状态": q.get_status_display(),
            "提出时间": q.created_at,
            "答复期限": q.due_on,
            "答复": q.answer,
        }
        for q in RightsRequest.objects.filter(resident=r)
    ]
    seen = AuditEvent.objects.filter(
        object_type=Resident._meta.label_lower,
        object_id=str(r.pk),
        action=AuditEvent.Action.READ_UNMASKED,
    )
    if r.user_id:  # the resident's own look at this page is not news to them
        seen = seen.exclude(actor_id=r.user_id)
    reads = [
        {"时间": e.at, "查看人": e.actor_identity, "内容": e.summary} for e in seen.order_by("-at")
    ]
    rules = [
        {"信息类别": x.label, "删除时": x.on_deletion, "保存期限": x.period, "依据": x.why}
        for x in record_rules()
    ]
    return [
        _section("timebank", "时间银行", accounts),
        _section("activities", "受益的活动", served),
        _section(
            "cases",
            "个案服务",
            cases,
            "个案记录内容涉及保密，如需查阅请向您的个案社工提出，社工依规定答复。" if cases else "",
        ),
        _section("requests", "您提出的个人信息请求", requests),
        _section("reads", "工作人员查看您完整身份信息的记录", reads),
        _section("rules", "保存期限与删除规则", rules),
    ]


def resident_data(*, actor: User, resident: Resident, purpose: str = "view") -> dict[str, Any]:
    """Everything the platform holds about `resident` (from a scoped selector). `purpose`
    "view" or "export" is written to the audit trail."""
    require(DataAction.VIEW, data_actions_for(actor, resident), message="您无权查看该居民信息")
    if purpose == "export":
        require(DataAction.EXPORT, data_actions_for(actor, resident))
    user = resident.user
    data = {
        "platform": str(settings.SHEZHI_SITE_NAME) or "社志通",
        "generated_at": _v(timezone.now()),
        "resident_id": resident.pk,
        "deleted": resident.anonymised_at is not None,
        "sections": [
            _basic(resident),
            _account(user),
            _needs(resident),
            _care(resident),
            _volunteering(user, resident),
            *_other(resident),
        ],
    }
    audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT if purpose == "export" else AuditEvent.Action.READ_UNMASKED,
        obj=resident,
        summary="导出个人信息副本" if purpose == "export" else "查看个人信息汇总",
    )
    return data


class FontMissing(DomainError):
    """The server cannot render Chinese: an installation fault, not the caller's."""

    status = 503
    code = PrivacyError.FONT_MISSING


def resident_data_pdf(*, actor: User, resident: Resident) -> bytes:
    """The export as a readable PDF (the same content as the JSON download)."""
    data = resident_data(actor=actor, resident=resident, purpose="export")
    try:
        return render_pdf(data, title="个人信息副本")
    except FontUnavailable as exc:
        raise FontMissing(str(exc)) from None
