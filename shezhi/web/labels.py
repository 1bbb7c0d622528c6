"""Chinese labels that live in models and the pure workflow (statuses, roles, the default
taxonomy). They are marked here so that `makemessages` puts them in the English catalogue;
templates translate them at display time with the `tr` filter (see templatetags/web_tags.py)."""

from django.utils.translation import gettext_noop as N_

LABELS = [
    # statuses and actions (shezhi.needs.workflow)
    N_("待受理"),
    N_("已派单"),
    N_("已接单"),
    N_("服务中"),
    N_("已办结"),
    N_("已评价"),
    N_("已取消"),
    N_("无法办理"),
    N_("派单"),
    N_("重新派单"),
    N_("退回"),
    N_("接单"),
    N_("开始服务"),
    N_("办结"),
    N_("评价"),
    N_("取消"),
    N_("复核后重新受理"),
    # roles (shezhi.accounts.models.Role)
    N_("系统管理员"),
    N_("区级管理员"),
    N_("街道管理员"),
    N_("督导"),
    N_("社区社工"),
    N_("网格员"),
    N_("志愿服务队队长"),
    N_("志愿者"),
    N_("居民"),
    N_("合作单位"),
    # sources and assignee kinds (shezhi.needs.models.Need)
    N_("居民点单"),
    N_("走访"),
    N_("电话"),
    N_("网格员上报"),
    N_("议事会"),
    N_("志愿服务队"),
    N_("社工"),
    N_("社区志愿者（抢单）"),
    # default taxonomy (needs migration 0002)
    N_("生活照料"),
    N_("助餐"),
    N_("医疗健康"),
    N_("心理慰藉"),
    N_("法律援助"),
    N_("政策咨询"),
    N_("家电维修"),
    N_("环境卫生"),
    N_("矛盾调解"),
    N_("儿童关爱"),
    N_("就业帮扶"),
    N_("其他"),
    N_("急难愁盼·马上办"),
    N_("困难群众·贴心办"),
    N_("一般"),
    # gender
    N_("男"),
    N_("女"),
]
