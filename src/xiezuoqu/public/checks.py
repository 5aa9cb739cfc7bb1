"""System checks of the public site: where the reporters' files go must be configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def media_root_configured(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.MEDIA_ROOT:
        return []
    return [
        Warning(
            "MEDIA_ROOT is not set: the reporters' encrypted files would be written below the working directory.",
            hint='Set MEDIA_ROOT (e.g. VAR_DIR / "media") on a backed-up disk that the web server does not serve.',
            id="public.W001",
        )
    ]
