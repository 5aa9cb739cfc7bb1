from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.accounts.roles import ADMIN_ROLES, COMMISSION_WIDE_ROLES, STAFF_ROLES, Role

# (label, url name, roles that see the entry; None = everyone logged in)
NAV: list[tuple[str, str, frozenset[str] | None]] = [
    ("组织架构", "org:chart", STAFF_ROLES | ADMIN_ROLES | {Role.VILLAGE_SUPERVISOR}),
    ("单位", "org:unit_list", STAFF_ROLES | ADMIN_ROLES),
    ("干部", "org:staff_list", STAFF_ROLES | ADMIN_ROLES),
    ("一帮二", "org:mentoring_list", STAFF_ROLES | {Role.SYSTEM_ADMIN}),
    ("村级监督员", "org:supervisor_list", STAFF_ROLES | {Role.SYSTEM_ADMIN}),
    ("信访台账", "intake:ledger", STAFF_ROLES),
    ("登记", "intake:register", frozenset({Role.REGISTRAR})),
    ("我的监督", "intake:village", frozenset({Role.VILLAGE_SUPERVISOR})),
    ("问题线索", "clues:ledger", STAFF_ROLES),
    ("回避与干预", "recusal:index", STAFF_ROLES),
    ("线索集中管理", "clues:central", frozenset({Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER})),
    ("审批", "approvals:inbox", STAFF_ROLES),
    ("审批链", "approvals:chains", frozenset({Role.SYSTEM_ADMIN})),
    ("待办时限", "deadlines:queue", STAFF_ROLES),
    ("超期督办", "deadlines:overdue", frozenset({Role.ZONE_LEADER, Role.ZONE_DEPUTY}) | COMMISSION_WIDE_ROLES),
    ("工作日历", "workdays:calendar", STAFF_ROLES | ADMIN_ROLES),
    ("编号格式", "intake:formats", frozenset({Role.SYSTEM_ADMIN, Role.PETITION_STAFF})),
    ("账号与角色", "accounts:user_list", frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})),
    ("审计日志", "audit:list", frozenset({Role.AUDIT_ADMIN})),
]


def nav_for(actor: Actor, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for label, name, roles in NAV:
        if roles is not None and not actor.roles & roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app not wired yet must not break every page
            continue
        # The org chart lives at the app's root, so it is active on its own page only.
        matches = path == url if name == "org:chart" else path.startswith(url)
        items.append({"label": label, "url": url, "active": matches})
    # Only the most specific entry is highlighted (/deadlines/overdue/ is not also /deadlines/).
    best = max((len(i["url"]) for i in items if i["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == best
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_for(user)
    return {"actor": actor, "nav": nav_for(actor, request.path), "demo_banner": getattr(user, "is_demo", False)}
