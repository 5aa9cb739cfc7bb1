"""``{% report_attachments report %}``: the reporter's files on a staff page that already reached the report
through the report policy."""

from __future__ import annotations

from typing import Any

from django import template

from xiezuoqu.intake.models import Report
from xiezuoqu.public.selectors import attachments_for

register = template.Library()


@register.inclusion_tag("public/_attachments.html")
def report_attachments(report: Report) -> dict[str, Any]:
    return {"attachments": attachments_for(report), "show": report.source_public}
