"""Chinese labels that live in models and the pure workflow (statuses, roles, the default
taxonomy). They are marked here so that `makemessages` puts them in the English catalogue;
templates translate them at display time with the `tr` filter (see templatetags/web_tags.py)."""

from django.utils.translation import gettext_noop

LABELS = [
    # statuses and actions (shezhi.needs.workflow)
    gettext_noop("待受理"),
    gettext_noop("已派单"),
    gettext_noop("已接单"),
    gettext_noop("服务中"),
    gettext_noop("已办结"),
    gettext_noop("已评价"),
    gettext_noop("已取消"),
    gettext_noop("无法办理"),
    gettext_noop("派单"),
    gettext_noop("重新派单"),
    gettext_noop("退回"),
    gettext_noop("接单"),
    gettext_noop("开始服务"),
    gettext_noop("办结"),
    gettext_noop("评价"),
    gettext_noop("取消"),
    gettext_noop("复核后重新受理"),
    # roles (shezhi.accounts.models.Role)
    gettext_noop("系统管理员"),
    gettext_noop("区级管理员"),
    gettext_noop("街道管理员"),
    gettext_noop("督导"),
    gettext_noop("社区社工"),
    gettext_noop("网格员"),
    gettext_noop("志愿服务队队长"),
    gettext_noop("志愿者"),
    gettext_noop("居民"),
    gettext_noop("合作单位"),
    # sources and assignee kinds (shezhi.needs.models.Need)
    gettext_noop("居民点单"),
    gettext_noop("走访"),
    gettext_noop("电话"),
    gettext_noop("网格员上报"),
    gettext_noop("议事会"),
    gettext_noop("志愿服务队"),
    gettext_noop("社工"),
    gettext_noop("社区志愿者（抢单）"),
    # default taxonomy (needs migration 0002)
    gettext_noop("生活照料"),
    gettext_noop("助餐"),
    gettext_noop("医疗健康"),
    gettext_noop("心理慰藉"),
    gettext_noop("法律援助"),
    gettext_noop("政策咨询"),
    gettext_noop("家电维修"),
    gettext_noop("环境卫生"),
    gettext_noop("矛盾调解"),
    gettext_noop("儿童关爱"),
    gettext_noop("就业帮扶"),
    gettext_noop("其他"),
    gettext_noop("急难愁盼·马上办"),
    gettext_noop("困难群众·贴心办"),
    gettext_noop("一般"),
    # gender
    gettext_noop("男"),
    gettext_noop("女"),
]
