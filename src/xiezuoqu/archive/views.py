"""Pages of 归档: the packages of a matter with the 生成归档包 button, a download, and the 校验归档包
upload form (any package handed in, checked against its signature, its files and the audit chain)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import DomainError, NotFound, ValidationFailed
from xiezuoqu.web.forms import show_error

from . import services
from .package import Matter
from .selectors import may_build, packages_of, recent_packages

ZIP = "application/zip"


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


def _matter_page(request: HttpRequest, actor: Actor, matter: Matter) -> HttpResponse:
    return render(
        request,
        "archive/matter.html",
        {
            "matter": matter,
            "packages": packages_of(actor, clue=matter.clue, case=matter.case),
            "may_build": may_build(actor, matter.clue),
        },
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(request, "archive/index.html", {"packages": recent_packages(actor)})


@login_required
def for_case(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = _actor(request)
    return _matter_page(request, actor, services.resolve_matter(actor, case_id=case_id))


@login_required
def for_clue(request: HttpRequest, clue_id: int) -> HttpResponse:
    actor = _actor(request)
    try:
        matter = services.resolve_matter(actor, clue_id=clue_id)
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
        return redirect("clues:detail", clue_id)
    return _matter_page(request, actor, matter)


def _build(request: HttpRequest, *, case_id: int | None = None, clue_id: int | None = None) -> HttpResponse:
    actor = _actor(request)
    back = redirect("archive:case", case_id) if case_id is not None else redirect("archive:clue", clue_id)
    try:
        filename, _data = services.build_archive_package(
            actor=actor,
            case_id=case_id,
            clue_id=clue_id,
            include_evidence=request.POST.get("include_evidence") == "1",
            request=request,
        )
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, f"已生成归档包 {filename}，可在下方下载。")
    return back


@login_required
@require_POST
def build_case(request: HttpRequest, case_id: int) -> HttpResponse:
    return _build(request, case_id=case_id)


@login_required
@require_POST
def build_clue(request: HttpRequest, clue_id: int) -> HttpResponse:
    return _build(request, clue_id=clue_id)


@login_required
def download(request: HttpRequest, package_id: int) -> HttpResponse:
    actor = _actor(request)
    filename, data = services.download_package(actor=actor, package_id=package_id, request=request)
    response = HttpResponse(data, content_type=ZIP)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    context: dict[str, object] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed("请选择要校验的归档包（.zip）。")
            result, records = services.verify_uploaded(actor=actor, data=upload.read(), request=request)
        except DomainError as exc:
            show_error(request, exc)
        else:
            context.update(result=result, records=records, uploaded_name=upload.name)
    return render(request, "archive/verify.html", context)
