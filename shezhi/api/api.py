"""The REST API root: /api/v1/… with the OpenAPI schema at /api/schema/ and docs at /api/docs.

The NinjaAPI is mounted at /api/ so that its schema and docs sit beside the versioned routes;
every operation lives under the `v1/` routers."""

from ninja import NinjaAPI, Swagger
from ninja.operation import Operation
from ninja.renderers import JSONRenderer

from shezhi.api import (
    activities,
    calendars,
    care,
    cases,
    dispatch,
    errors,
    figures,
    imports,
    me,
    needs,
    notifications,
    people,
    privacy,
    proofs,
    timebank,
    volunteers,
)
from shezhi.api.auth import AUTH


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class ShezhiAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """Named after the router's module `shezhi.api.<name>` also when that module is a package
        split into files, so that the operation ids (clients' method names) stay stable."""
        module = ".".join(operation.view_func.__module__.split(".")[:3])
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


api = ShezhiAPI(
    title="社志通 API",
    version="1.0.0",
    description=(
        "社工+志愿服务平台接口：民情台账与“点单→派单→接单→评单”四单流程。"
        "认证方式：网页登录后的会话（写操作需 CSRF 令牌），或请求头 "
        "`Authorization: Bearer <令牌>`（令牌由 `shezhi api_token <用户名>` 签发）。"
        "所有错误返回 {code, message, field}。"
    ),
    auth=AUTH,
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs",
    # Served from ninja's local static files; no online validator badge (offline intranet).
    docs=Swagger(settings={"validatorUrl": None}),
    renderer=Utf8JSONRenderer(),
)
errors.install(api)

api.add_router("/v1/", me.router)
api.add_router("/v1/needs", needs.router)
api.add_router("/v1/residents", people.router)
api.add_router("/v1/dispatch", dispatch.router)
api.add_router("/v1/proofs", proofs.router)
api.add_router("/v1/timebank", timebank.router)
api.add_router("/v1/imports", imports.router)
api.add_router("/v1/activities", activities.router)
api.add_router("/v1/care", care.router)
api.add_router("/v1/cases", cases.router)
api.add_router("/v1/notifications", notifications.router)
api.add_router("/v1/calendars", calendars.router)
api.add_router("/v1/privacy", privacy.router)
api.add_router("/v1/figures", figures.router)
api.add_router("/v1/", volunteers.router)
errors.declare_operations(api)
