from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from xiezuoqu.access.actor import actor_for

from . import services
from .models import User
from .selectors import TOKENS

router = Router(tags=["账号"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    commission_id: int | None
    staff_id: int | None
    roles: list[str]
    zone_ids: list[int]
    totp_enabled: bool


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str
    days: int | None = None


class IssuedTokenOut(Schema):
    token: TokenOut
    secret: str


@router.get("/me", response=MeOut, summary="当前账号及其角色")
def me(request: HttpRequest) -> MeOut:
    actor = actor_for(request.user)
    user = request.user
    assert isinstance(user, User)
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=str(user),
        commission_id=user.commission_id,
        staff_id=user.staff_id,
        roles=sorted(actor.roles),
        zone_ids=sorted(actor.zone_ids),
        totp_enabled=user.totp_confirmed,
    )


@router.get("/tokens", response=list[TokenOut], summary="本人的接口令牌")
def list_tokens(request: HttpRequest):  # type: ignore[no-untyped-def]
    actor = actor_for(request.user)
    return list(TOKENS.scope(actor).filter(user_id=actor.user_id))


@router.post("/tokens", response={201: IssuedTokenOut}, summary="申请接口令牌（明文只返回一次）")
def issue_token(request: HttpRequest, payload: TokenIn):  # type: ignore[no-untyped-def]
    actor = actor_for(request.user)
    user = request.user
    assert isinstance(user, User)
    issued = services.issue_api_token(actor=actor, user=user, name=payload.name, days=payload.days, request=request)
    return Status(201, {"token": issued.token, "secret": issued.raw})


@router.delete("/tokens/{token_id}", response={204: None}, summary="吊销接口令牌")
def revoke_token(request: HttpRequest, token_id: int):  # type: ignore[no-untyped-def]
    services.revoke_api_token(actor=actor_for(request.user), token_id=token_id, request=request)
    return Status(204, None)
