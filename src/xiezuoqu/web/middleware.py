"""Domain errors on pages: a Chinese message the user can act on, never a 500. A database that fails
mid-request (connection lost, server restarted) is a 503 page saying nothing was saved."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuoqu.errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, DatabaseError) and not request.path.startswith("/api/"):
            logging.getLogger("xiezuoqu.web").error(
                "database error on %s %s", request.method, request.path, exc_info=exc
            )
            error = SimpleNamespace(
                title="服务暂时不可用",
                message="数据库暂时无法访问，本次操作已整体撤销、未保存任何内容，请稍后重试。",
                field_errors={},
            )
            response = render(request, "web/error.html", {"error": error}, status=503)
            response["Retry-After"] = "5"
            return response
        if not isinstance(exc, DomainError) or request.path.startswith("/api/"):
            return None
        from xiezuoqu.audit.refusals import record_refusal

        record_refusal(request, exc)
        return render(request, "web/error.html", {"error": exc}, status=exc.status)


DB_UNAVAILABLE = "数据库暂时无法访问，本次操作已整体撤销、未保存任何内容，请稍后重试。"


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: an error outside any view (a middleware reading the session when the database has
    just gone away) — a DatabaseError is a 503 in Chinese (problem JSON on the API) like inside a view;
    anything else a plain Chinese 500. Touches neither the database nor a template that could."""
    import json
    import sys

    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, DatabaseError)
    status = 503 if unavailable else 500
    title = "服务暂时不可用" if unavailable else "服务器内部错误"
    detail = DB_UNAVAILABLE if unavailable else "服务器处理请求时出错，已记录，请稍后重试。"
    if unavailable:
        logging.getLogger("xiezuoqu.web").error("database error on %s %s", request.method, request.path, exc_info=exc)
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": request.path}
        response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status)
        response["Content-Type"] = "application/problem+json"
    else:
        page = (
            f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>{title}</title>'
            f"<h1>{title}</h1><p>{detail}</p></html>"
        )
        response = HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    if unavailable:
        response["Retry-After"] = "5"
    return response
