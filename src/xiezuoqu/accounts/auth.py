"""API authentication: bearer tokens for integrations, or the fully logged-in staff session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from .models import ApiToken
from .sessions import session_is_complete


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        # Touch at most once a minute: the token table must not become a write hot spot.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The page session, with CSRF protection, and only once the second factor has been passed."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        from django.conf import settings

        super()._get_key(request)  # the CSRF check of the cookie scheme (raises 403 on failure)
        return request.COOKIES.get(settings.SESSION_COOKIE_NAME)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and session_is_complete(request):
            return user
        return None


api_auth = [TokenAuth(), SessionAuth()]
