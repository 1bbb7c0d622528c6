"""Every text the platform sends as a notice, in one catalogue: short, plain Chinese, marked for
translation. A notice is rendered once, in the site's language, when it is enqueued.

The placeholders are the only data a notice may carry, and none of them is another person's
personal data: a need is named by its service category and the compound (never the resident's
name, phone, ID number or own words); a helper is named to the resident only by name and a
work contact, never by ID number or personal phone. tests/test_texts.py holds the catalogue to
that list."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Text:
    title: Promise
    body: Promise


# The only placeholders a text may use (see the module docstring).
ALLOWED_PLACEHOLDERS = frozenset(
    {
        "category",  # the need's service category (助餐, 维修 …)
        "place",  # compound (or community) of the need, never the room
        "when",  # the booked service time, or 时间待约定
        "team",  # a volunteer team's name
        "helper",  # who accepted: a name the resident can recognise
        "contact",  # a work contact: the social worker's or partner's office phone
        "stage",  # 响应 / 办结
        "deadline",  # a date and time
        "score",  # a rating 1–5
        "activity",  # an activity's title
        "venue",  # an activity's venue
        "state",  # a sign-up state label
        "what",  # what changed in an activity (时间、地点)
        "reason",  # an organiser's reason, told to the volunteer it concerns
        "number",  # a care alert's or a case's number, never the person's name
        "minutes",
        "hours",
        "who",  # the administrator who opened emergency access (told to supervisors)
        "unit",  # an org unit's name (a report's unit), never a person
        "period",  # a report's period (2026年11月)
        "version",  # a report's version number
    }
)

CATALOGUE: dict[str, Text] = {
    # --- the needs workflow: to the helper ---
    "order_dispatched": Text(
        _("新派单：%(category)s"),
        _("地点：%(place)s；时间：%(when)s。请打开订单查看并接单。"),
    ),
    "order_dispatched_team": Text(
        _("服务队新派单：%(category)s"),
        _("派给%(team)s。地点：%(place)s；时间：%(when)s。队员均可接单。"),
    ),
    "order_withdrawn": Text(
        _("订单已撤回：%(category)s"),
        _("%(place)s的这张订单已由社工撤回或改派，您无需前往。"),
    ),
    "order_cancelled": Text(
        _("订单已取消：%(category)s"),
        _("%(place)s的这张订单已取消，您无需前往。"),
    ),
    # --- the needs workflow: to the resident ---
    "need_accepted": Text(
        _("您的需求已有人接单"),
        _(
            "%(category)s：%(helper)s已接单，服务时间%(when)s。服务前会与您电话联系；如有疑问请联系%(contact)s。"
        ),
    ),
    "need_started": Text(
        _("服务已开始"),
        _("%(category)s：%(helper)s已开始为您服务。"),
    ),
    "need_completed": Text(
        _("服务已完成，请您评价"),
        _("%(category)s已办结。请点开给这次服务打个分，您的评价帮助我们做得更好。"),
    ),
    "need_declined": Text(
        _("正在为您重新安排"),
        _("%(category)s：原来的服务者无法前来，社区正在为您重新安排，请耐心等待。"),
    ),
    "need_unresolvable": Text(
        _("需求暂时无法办理"),
        _("很抱歉，您的%(category)s需求暂时无法办理。如有疑问请联系%(contact)s。"),
    ),
    "need_cancelled": Text(
        _("需求已取消"),
        _("您的%(category)s需求已由社区取消。如有疑问请联系%(contact)s。"),
    ),
    # --- the needs workflow: to the social worker responsible ---
    "deadline_near": Text(
        _("需求即将超时：%(category)s"),
        _("%(place)s的需求%(stage)s期限为%(deadline)s，请尽快处理。"),
    ),
    "deadline_passed": Text(
        _("需求已超时：%(category)s"),
        _("%(place)s的需求已超过%(stage)s期限（%(deadline)s），请尽快处理。"),
    ),
    "rated_low": Text(
        _("低分评价待复核：%(category)s"),
        _("%(place)s的这次服务获评%(score)s分，请复核。"),
    ),
    "no_one_left": Text(
        _("退单后无人可派：%(category)s"),
        _("%(place)s的订单被退回，已没有其他合适的服务者，请重新派单。"),
    ),
    "dispatch_batch_failed": Text(
        _("一键派单 #%(number)s 有需求未能派出"),
        _("请打开派单结果查看每条的原因，并另行处理。"),
    ),
    # --- activities: to the volunteer ---
    "signup_confirmed": Text(
        _("报名成功：%(activity)s"),
        _("时间：%(when)s；地点：%(venue)s。请准时签到。"),
    ),
    "signup_pending": Text(
        _("报名待确认：%(activity)s"),
        _("组织者确认后会再通知您。时间：%(when)s；地点：%(venue)s。"),
    ),
    "signup_waitlisted": Text(
        _("已进入候补：%(activity)s"),
        _("名额已满。有人退出时按报名先后转正，届时会通知您。"),
    ),
    "signup_approved": Text(
        _("报名已通过：%(activity)s"),
        _("时间：%(when)s；地点：%(venue)s。请准时签到。"),
    ),
    "signup_refused": Text(
        _("报名未通过：%(activity)s"),
        _("组织者未通过您的报名。原因：%(reason)s"),
    ),
    "signup_withdrawn": Text(
        _("报名已取消：%(activity)s"),
        _("组织者取消了您的报名。原因：%(reason)s"),
    ),
    "waitlist_promoted": Text(
        _("候补转正：%(activity)s"),
        _("有名额空出，您已由候补转为正式报名（%(state)s）。时间：%(when)s；地点：%(venue)s。"),
    ),
    "activity_reminder": Text(
        _("活动提醒：%(activity)s"),
        _("您报名的活动将于%(when)s在%(venue)s举行，请准时签到。"),
    ),
    "activity_changed": Text(
        _("活动变更：%(activity)s"),
        _("%(what)s已变更。现在：%(when)s；地点：%(venue)s。"),
    ),
    "activity_cancelled": Text(
        _("活动取消：%(activity)s"),
        _("原定%(when)s在%(venue)s举行的活动已取消。原因：%(reason)s"),
    ),
    # --- care alerts and casework: to staff; a number, never the person ---
    "care_crisis": Text(
        _("危机预警（%(category)s），请在%(minutes)s分钟内确认"),
        _("预警编号 #%(number)s，请到关爱预警页面查看并处理。"),
    ),
    "care_escalated": Text(
        _("预警 #%(number)s 超时未确认，已升级给您"),
        _("预警编号 #%(number)s，请到关爱预警页面查看并处理。"),
    ),
    "care_alert": Text(
        _("%(category)s，请及时确认"),
        _("预警编号 #%(number)s，请到关爱预警页面查看并处理。"),
    ),
    "case_crisis": Text(
        _("个案#%(number)s启动危机干预"),
        _("个案#%(number)s已启动危机干预，请及时督导。"),
    ),
    "case_emergency_access": Text(
        _("个案#%(number)s已开启管理员紧急访问"),
        _("管理员%(who)s对个案#%(number)s开启紧急访问%(hours)s小时，理由已记录，供督导审查。"),
    ),
    # --- residents' data rights (PIPL arts. 44–47): the request's kind and dates only ---
    "rights_received": Text(
        _("已收到您的个人信息%(what)s请求"),
        _("我们将在%(deadline)s前答复，办理结果会通知您。"),
    ),
    "rights_answered": Text(
        _("您的个人信息%(what)s请求：%(state)s"),
        _("请到“我的个人信息”查看答复。"),
    ),
    "rights_new": Text(
        _("新的个人信息%(what)s请求，请在%(deadline)s前办理"),
        _("请求编号 #%(number)s，请到“个人信息请求”页面办理。"),
    ),
    # --- reports sent upward: to the unit's leaders ---
    "report_issued": Text(
        _("%(unit)s%(what)s已印发（%(period)s）"),
        _("第%(version)s版，请到“统计报告”页面查阅或下载。"),
    ),
}


def render(key: str, **params: object) -> tuple[str, str]:
    """(title, body) of the catalogue text `key`, in the site's language."""
    text = CATALOGUE[key]
    with translation.override(settings.LANGUAGE_CODE):
        return str(text.title) % params, str(text.body) % params
