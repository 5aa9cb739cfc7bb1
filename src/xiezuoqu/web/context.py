from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.accounts.roles import ADMIN_ROLES, COMMISSION_WIDE_ROLES, STAFF_ROLES, Role
from xiezuoqu.statistics.rules import STATISTICS_ZONE_AND_TOWNSHIP_ROLES, may_see_statistics

STAFF_AND_ADMINS = STAFF_ROLES | ADMIN_ROLES
LEADERS = frozenset({Role.ZONE_LEADER, Role.ZONE_DEPUTY}) | COMMISSION_WIDE_ROLES

# (menu, label, url name, roles that see the entry; None = everyone logged in). Entries of one menu
# are grouped under it in the top bar; a menu with a single visible entry is shown as a plain link.
NAV: list[tuple[str, str, str, frozenset[str] | None]] = [
    ("信访", "信访台账", "intake:ledger", STAFF_ROLES),
    ("信访", "登记", "intake:register", frozenset({Role.REGISTRAR})),
    ("信访", "编号格式", "intake:formats", frozenset({Role.SYSTEM_ADMIN, Role.PETITION_STAFF})),
    ("我的监督", "我的监督", "intake:village", frozenset({Role.VILLAGE_SUPERVISOR})),
    ("线索", "问题线索", "clues:ledger", STAFF_ROLES),
    (
        "线索",
        "线索集中管理",
        "clues:central",
        frozenset({Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER}),
    ),
    ("线索", "回避与干预", "recusal:index", STAFF_ROLES),
    ("线索", "澄清正名", "clearing:index", STAFF_ROLES),
    ("办案", "组队与工作量", "teams:workload", STAFF_ROLES),
    ("办案", "初步核实", "verification:list", STAFF_ROLES),
    (
        "办案",
        "措施使用台账",
        "verification:measures",
        frozenset({Role.CASE_MANAGER, Role.COMMISSION_HEAD, Role.COMMISSION_LEADER}),
    ),
    ("办案", "协作区会议", "meetings:calendar", STAFF_ROLES),
    ("办案", "立案审查", "filing:index", STAFF_ROLES),
    ("办案", "立案台账", "cases:ledger", STAFF_ROLES),
    ("办案", "处分期满台账", "sanctions:ledger", STAFF_ROLES),
    ("办案", "归档", "archive:index", STAFF_ROLES),
    ("办案", "专项检查", "inspections:index", STAFF_ROLES),
    ("办案", "以干代训", "training:index", STAFF_ROLES),
    ("办案", "大数据监督", "screening:index", STAFF_ROLES),
    ("经费", "办案经费", "funds:index", STAFF_ROLES),
    ("经费", "办案车辆", "funds:vehicles", STAFF_ROLES),
    ("审批", "审批", "approvals:inbox", STAFF_ROLES),
    ("时限", "待办时限", "deadlines:queue", STAFF_ROLES),
    ("时限", "超期督办", "deadlines:overdue", LEADERS),
    ("时限", "工作日历", "workdays:calendar", STAFF_AND_ADMINS),
    ("时限", "规则库", "rulebook:index", STAFF_AND_ADMINS),
    ("统计", "统计", "statistics:index", COMMISSION_WIDE_ROLES | STATISTICS_ZONE_AND_TOWNSHIP_ROLES),
    ("统计", "月度台账", "statistics:ledger", STAFF_ROLES),
    ("组织", "组织架构", "org:chart", STAFF_AND_ADMINS | {Role.VILLAGE_SUPERVISOR}),
    ("组织", "单位", "org:unit_list", STAFF_AND_ADMINS),
    ("组织", "干部", "org:staff_list", STAFF_AND_ADMINS),
    ("组织", "一帮二", "org:mentoring_list", STAFF_ROLES | {Role.SYSTEM_ADMIN}),
    ("组织", "村级监督员", "org:supervisor_list", STAFF_ROLES | {Role.SYSTEM_ADMIN}),
    ("管理", "审批链", "approvals:chains", frozenset({Role.SYSTEM_ADMIN})),
    ("管理", "账号与角色", "accounts:user_list", frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})),
    ("管理", "审计日志", "audit:list", frozenset({Role.AUDIT_ADMIN})),
]


def _has_workload_zone(actor: Actor) -> bool:
    """``teams.selectors.workload_zone_ids`` is not empty, read from the actor alone (no query on every
    page): the commission's readers, or the zones one leads, deputises or works in as office staff."""
    from xiezuoqu.clues.selectors import reads_whole_commission
    from xiezuoqu.intake.selectors import zone_reader_zone_ids

    return reads_whole_commission(actor) or bool(zone_reader_zone_ids(actor))


def _may_screen(actor: Actor) -> bool:
    from xiezuoqu.screening.selectors import may_screen

    return may_screen(actor)


def _may_open_ledgers(actor: Actor) -> bool:
    from xiezuoqu.statistics.ledger import may_open_ledgers

    return may_open_ledgers(actor)


def _registers_somewhere(actor: Actor) -> bool:
    return bool(actor.units_for_role(Role.REGISTRAR))


# Entries whose page answers to more than a role: the same test the view makes, so the menu never
# offers a page that would answer 404 to the person it is shown to.
VISIBLE_IF: dict[str, Callable[[Actor], bool]] = {
    "teams:workload": _has_workload_zone,  # the zones one leads, deputises, works in, or the commission
    "intake:register": _registers_somewhere,  # a registrar of an active unit
    "intake:village": lambda actor: actor.village_supervisor_id is not None,  # a supervisor on record
    "statistics:index": may_see_statistics,  # a zone one reads, a township one leads, or the commission
    "statistics:ledger": _may_open_ledgers,  # a township that submits, a zone one reads, or the commission
    "screening:index": _may_screen,  # 案管, the commission's leaders, the zones' leadership, office and groups
}


def nav_for(actor: Actor, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for group, label, name, roles in NAV:
        if roles is not None and not actor.roles & roles:
            continue
        check = VISIBLE_IF.get(name)
        if check is not None and not check(actor):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app not wired yet must not break every page
            continue
        # The org chart lives at the app's root, so it is active on its own page only.
        matches = path == url if name == "org:chart" else path.startswith(url)
        items.append({"group": group, "label": label, "url": url, "active": matches})
    # Only the most specific entry is highlighted (/deadlines/overdue/ is not also /deadlines/).
    best = max((len(i["url"]) for i in items if i["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == best
    return items


def nav_groups(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries under their menus, in the order the menus first appear."""
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        group = groups.setdefault(item["group"], {"label": item["group"], "items": [], "active": False})
        group["items"].append(item)
        group["active"] = group["active"] or item["active"]
    return list(groups.values())


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_for(user)
    items = nav_for(actor, request.path)
    return {
        "actor": actor,
        "nav": items,
        "nav_groups": nav_groups(items),
        "demo_banner": getattr(user, "is_demo", False),
    }
