"""The upload ceiling of every staff form: a file larger than any form accepts is refused while the
request is parsed, not after it has been written whole to a temporary file.

Installed through ``FILE_UPLOAD_HANDLERS``, so it is in place before the CSRF check (or anything else)
reads the body. The ceiling is the largest size a staff form takes (evidence, 50 MB); each form checks
its own, smaller limit afterwards as before. The public report form installs its own, stricter handler
in front (xiezuoqu.public.files.UploadLimitHandler), which skips an oversized file before this one sees it.

Past the ceiling the parse stops at once (the rest of the body is not read) with ``UploadTooLarge``, a
``MultiPartParserError``: pages answer it with a Chinese 413 (``bad_request``), the API with problem
JSON (xiezuoqu.api). The view never runs, so nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import format_html
from django.views import defaults

from xiezuoqu.verification.services import MAX_EVIDENCE_SIZE

UPLOAD_CEILING = MAX_EVIDENCE_SIZE
# All the files of one request together: no staff form takes more than a few files, and without a total
# one request of a hundred files just under the ceiling would spool gigabytes to the temporary disk.
REQUEST_CEILING = 4 * UPLOAD_CEILING


class UploadTooLarge(MultiPartParserError):
    def __init__(self, file_name: str, *, whole_request: bool = False) -> None:
        self.file_name = file_name
        if whole_request:
            self.message = (
                f"本次提交的文件合计超过 {REQUEST_CEILING // (1024 * 1024)} MB（至“{file_name}”），系统不接收，"
                "本次提交未保存任何内容；请分几次上传。"
            )
        else:
            self.message = (
                f"文件“{file_name}”超过 {UPLOAD_CEILING // (1024 * 1024)} MB，系统不接收，本次提交未保存任何内容；"
                "请拆分或压缩后重新上传。"
            )
        super().__init__(self.message)


class UploadCeilingHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0  # of the current file
        self.total = 0  # of the whole request

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        self.total += len(raw_data)
        name = (self.file_name or "").rsplit("/", 1)[-1][:100]
        if self.received > UPLOAD_CEILING:
            raise UploadTooLarge(name)
        if self.total > REQUEST_CEILING:
            raise UploadTooLarge(name, whole_request=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: an oversized upload is a 413 saying which file and what to do; anything else the
    project's 400 page (templates/400.html)."""
    if not isinstance(exception, UploadTooLarge):
        return defaults.bad_request(request, exception)
    page = format_html(
        '<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>文件过大</title>'
        "<h1>文件过大</h1><p>{}</p><p>请返回上一页重新选择文件。</p></html>",
        exception.message,  # the file name is the sender's: escaped
    )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
