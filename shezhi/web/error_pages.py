"""Chinese error pages (400/403/404/413/500, CSRF, unreadable case data), each with a way home.

They render a layout of their own (errors/error.html: the site's bar and styles, no database
queries) so that they work even when the database or the session is the problem.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from shezhi.core.request_context import current_request_id

# The start of the request id is enough to find the request's lines in the logs.
ERROR_REF_LENGTH = 8


def error_page(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    response = render(
        request, "errors/error.html", {"status": status, "title": title, "message": message}
    )
    response.status_code = status
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        status=400,
        title=_("请求无法处理"),
        message=_("提交的内容不完整或格式不对。请返回上一页，检查后重试。"),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        status=403,
        title=_("没有权限查看此页面"),
        message=_("您的账号不能使用这个功能。如需使用，请联系所在社区的社工或管理员。"),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        status=404,
        title=_("页面不存在"),
        message=_("您要找的页面不存在，或者不在您的管理范围内。"),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    ref = current_request_id()[:ERROR_REF_LENGTH]
    message = (
        _("请稍后再试。如果一直出现，请联系系统管理员，并告知问题编号：%(ref)s。") % {"ref": ref}
        if ref
        else _("请稍后再试。如果一直出现，请联系系统管理员。")
    )
    return error_page(request, status=500, title=_("系统出了点问题"), message=message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request,
        status=403,
        title=_("页面已过期"),
        message=_("页面停留太久或已在别处退出。请返回上一页，刷新后重新提交。"),
    )


def too_large(request: HttpRequest) -> HttpResponse:
    return error_page(
        request,
        status=413,
        title=_("提交的内容太大"),
        message=_("一次提交的内容太多。请减少内容（例如分批上传）后重试。"),
    )


def too_many_fields(request: HttpRequest) -> HttpResponse:
    return error_page(
        request,
        status=400,
        title=_("请求无法处理"),
        message=_("一次提交的项目太多。请减少内容后重试。"),
    )


def case_data_unreadable(request: HttpRequest) -> HttpResponse:
    return error_page(
        request,
        status=503,
        title=_("个案资料暂时无法打开"),
        message=_(
            "该个案的加密内容无法解密，可能是系统的个案密钥配置有误。"
            "已记录此问题，请联系系统管理员检查 SHEZHI_CASE_KEYS。"
        ),
    )
