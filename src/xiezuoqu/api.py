"""The JSON API under /api/v1/: one NinjaAPI, the routers of each app, one error shape.

Authentication is either a bearer API token (integrations) or the staff session (with CSRF). Every
handler reads through the same scope policies as the pages, so the API can never show more.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from xiezuoqu.accounts.auth import api_auth
from xiezuoqu.errors import DomainError

# Every refusal is this body (RFC 9457 problem JSON), whatever the operation: see problem() below.
PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "给用户看的中文说明"},
        "instance": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
PROBLEM_ANSWERS: dict[str | int, str] = {
    "4XX": "请求被拒绝：未认证、无权、不存在、输入有误或状态不允许（problem JSON，detail 为中文说明）",
    503: "数据库暂时无法访问，本次操作已整体撤销（problem JSON）",
}


class XiezuoquAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> OpenAPISchema:
        """The document, with every operation's refusals (4xx) and the database-unavailable 503 as problem JSON.

        Handlers answer these from the exception handlers below, not from their ``response=``, so ninja
        alone would leave them out and a client (or schemathesis) could not know their shape.
        """
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem_ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, description in PROBLEM_ANSWERS.items():
                    operation["responses"].setdefault(
                        status, {"description": description, "content": {"application/problem+json": problem_ref}}
                    )
        return schema


api = XiezuoquAPI(
    title="协作区 API",
    version="1",
    description="纪检监察协作区工作平台接口。所有读取均经过与页面相同的访问范围控制；无权与不存在均返回 404。",
    auth=api_auth,
    urls_namespace="api",
)


def problem(request: HttpRequest, status: int, title: str, detail: str, **extra: object) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": request.path}
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    from xiezuoqu.audit.refusals import record_refusal

    record_refusal(request, exc)
    response = api.create_response(request, exc.problem(instance=request.path), status=exc.status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "payload"))
        errors.setdefault(loc or "_", []).append(str(error.get("msg", "无效")))
    return problem(request, 422, "输入有误", "请求参数不符合要求，请按 errors 修改后重试。", errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, 401, "未认证", "请先登录，或在 Authorization 头中提供有效的 Bearer 令牌。")


@api.exception_handler(MultiPartParserError)
def on_unparsable_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A multipart body Django will not read (a part's headers past 1 KB, e.g. a very long file name), or
    a file past the upload ceiling (xiezuoqu.web.uploads), refused while it was parsed."""
    from xiezuoqu.web.uploads import UploadTooLarge

    if isinstance(exc, UploadTooLarge):
        return problem(request, 413, "文件过大", exc.message)
    detail = "上传的内容无法解析（例如文件名过长），未保存任何内容；请改短文件名后重试。"
    return problem(request, 400, "请求无法解析", detail)


@api.exception_handler(DatabaseError)
def on_database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """The database failed mid-request (connection lost, server restarted): the transaction rolled back."""
    logging.getLogger("xiezuoqu.api").error("database error on %s %s", request.method, request.path, exc_info=exc)
    detail = "数据库暂时无法访问，本次操作已整体撤销、未保存任何内容，请稍后重试。"
    response = problem(request, 503, "服务暂时不可用", detail)
    response["Retry-After"] = "5"
    return response


# Ninja's own HttpErrors speak English ("Cannot parse request body"): the client is told in Chinese.
HTTP_ERROR_DETAILS = {
    400: "请求体无法解析（不是有效的 JSON），未作任何更改；请检查格式后重试。",
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if not any("\u4e00" <= ch <= "\u9fff" for ch in detail):
        detail = HTTP_ERROR_DETAILS.get(exc.status_code, f"请求无法处理（{detail}），未作任何更改。")
    return problem(request, exc.status_code, "请求无法处理", detail)


api.add_router("/org/", "xiezuoqu.org.api.router")
api.add_router("/accounts/", "xiezuoqu.accounts.api.router")
api.add_router("/audit/", "xiezuoqu.audit.api.router")
api.add_router("/approvals/", "xiezuoqu.approvals.api.router")
api.add_router("/calendar/", "xiezuoqu.workdays.api.router")
api.add_router("/rules/", "xiezuoqu.rulebook.api.router")
api.add_router("/deadlines/", "xiezuoqu.deadlines.api.router")
api.add_router("/intake/", "xiezuoqu.intake.api.router")
api.add_router("/clues/", "xiezuoqu.clues.api.router")
api.add_router("/recusal/", "xiezuoqu.recusal.api.router")
api.add_router("/teams/", "xiezuoqu.teams.api.router")
api.add_router("/verification/", "xiezuoqu.verification.api.router")
api.add_router("/meetings/", "xiezuoqu.meetings.api.router")
api.add_router("/filing/", "xiezuoqu.filing.api.router")
api.add_router("/cases/", "xiezuoqu.cases.api.router")
api.add_router("/sanctions/", "xiezuoqu.sanctions.api.router")
api.add_router("/precedents/", "xiezuoqu.precedents.api.router")
api.add_router("/clearing/", "xiezuoqu.clearing.api.router")
api.add_router("/archive/", "xiezuoqu.archive.api.router")
api.add_router("/statistics/", "xiezuoqu.statistics.api.router")
api.add_router("/inspections/", "xiezuoqu.inspections.api.router")
api.add_router("/funds/", "xiezuoqu.funds.api.router")
api.add_router("/screening/", "xiezuoqu.screening.api.router")
api.add_router("/training/", "xiezuoqu.training.api.router")
