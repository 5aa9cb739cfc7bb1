"""Scoped reads of reports. Every page, API call, export and search of intake goes through here.

Who sees a report (``reports_visible_to`` / ``can_view_report``, one rule written twice):
- the petition office (信访室: ``petition_staff``, and the registrar of the petition office), the case
  management office (案管) and the commission's leadership: every report of the commission;
- the zone's inspection office staff, its leader and deputies: the reports of their zone (``Report.zone``:
  the zone *concerned* from registration on — the zone of the township the report names, else the
  registering unit's; for a report naming neither, the zone of the unit it is first sent to) and the
  reports registered by, sent down to or handled by a member unit of their zone (流程1 受理归口: a
  registered report is reported at once to the 信访室 and to the 纪检监察室 of the zone concerned);
- every staff member: the reports registered by, sent down to, or assigned to their own unit (the
  township committee, the dispatched group, the office they sit in);
- a village supervisor: the reports they submitted (and only their own plain-words page shows them);
- minus the reports that name the actor among the accused (``ReportAccused.staff``), and for the
  commission head the reports about the head (``concerns_head``): the accused side never sees them;
- minus the reports joined to a clue the actor has withdrawn from (回避);
- administrators: nothing (三员分立: reports are case content).

``REPORT_SIGHT`` says the same per state and way of arrival, for docs/lifecycles.md. The reporter's
identity has its own, narrower policy: the petition office, and a holder of an unexpired grant the
commission head approved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import STAFF_ROLES, Role
from xiezuoqu.audit.services import record_event, record_view
from xiezuoqu.errors import NotFound, NotPermitted
from xiezuoqu.org.models import Unit

from .models import (
    IdentityGrant,
    LedgerFormat,
    Notification,
    QuarterlyResultReport,
    Report,
    ReportAccused,
    ReporterIdentity,
    ReportMessage,
    RoutingDecision,
)
from .workflow import State

NOTHING = Q(pk__in=[])
# Roles that read every report of the commission (besides the petition office's registrar).
COMMISSION_READERS = frozenset({Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.PETITION_STAFF, Role.CASE_MANAGER})
# Roles that may decide 受理归口 at the unit whose turn it is.
UNIT_ROUTER_ROLES = (Role.REGISTRAR, Role.TOWNSHIP_SECRETARY, Role.INSPECTION_STAFF, Role.DISPATCHED_STAFF)
# Roles that work a report assigned to their unit (办结).
HANDLER_ROLES = (
    Role.TOWNSHIP_SECRETARY,
    Role.TOWNSHIP_STAFF,
    Role.INSPECTION_STAFF,
    Role.DISPATCHED_STAFF,
    Role.REGISTRAR,
)


# --- who is who ----------------------------------------------------------------------------------------


def _cached(actor: Actor, key: str, compute: Any) -> frozenset[int]:
    # The actor is computed once per request; its private cache keeps these small lookups to one each.
    cache = actor._unit_cache
    if key not in cache:
        cache[key] = frozenset(compute())
    value = cache[key]
    return value if value is not None else frozenset()


def petition_office_units(actor: Actor) -> frozenset[int]:
    """The petition-office units where this actor is the registrar (信访室登记员)."""
    units = actor.units_for_role(Role.REGISTRAR)
    if not units:
        return frozenset()
    return _cached(
        actor,
        "intake.petition_registrar",
        lambda: Unit.objects.filter(pk__in=units, kind=Unit.Kind.PETITION_OFFICE).values_list("pk", flat=True),
    )


def is_petition_office(actor: Actor) -> bool:
    """信访室: its staff and its registrar. They keep the commission's ledger and the reporters' identities."""
    if actor.is_admin or actor.user_id is None:
        return False
    return actor.has(Role.PETITION_STAFF) or bool(petition_office_units(actor))


def reads_whole_commission(actor: Actor) -> bool:
    return not actor.is_admin and (bool(actor.roles & COMMISSION_READERS) or is_petition_office(actor))


def own_unit_ids(actor: Actor) -> frozenset[int]:
    """The units a staff member sits in: home unit and the units their roles are anchored at."""
    if not actor.is_staff_worker:
        return frozenset()
    units = set(actor.role_unit_ids)
    if actor.home_unit_id is not None:
        units.add(actor.home_unit_id)
    return frozenset(units)


def zone_reader_zone_ids(actor: Actor) -> frozenset[int]:
    """Zones whose reports this actor reads: led, deputised, or worked by their inspection office."""
    zones = set(actor.led_zone_ids) | set(actor.deputy_zone_ids)
    if actor.has(Role.INSPECTION_STAFF):
        zones |= set(actor.office_zone_ids)
    return frozenset(zones)


def zone_member_unit_ids(actor: Actor) -> frozenset[int]:
    """Today's member units of the zones this actor reads (their registered, received or handled
    reports are the zone's too)."""
    zones = zone_reader_zone_ids(actor)
    if not zones:
        return frozenset()
    from xiezuoqu.org.selectors import current_member_unit_ids

    return _cached(actor, "intake.zone_units", lambda: current_member_unit_ids(zones))


def _accused_report_ids(actor: Actor) -> QuerySet[ReportAccused]:
    return ReportAccused.objects.filter(staff_id=actor.staff_id).values("report_id")  # type: ignore[return-value]


def _names_actor_as_accused(actor: Actor, report: Report) -> bool:
    return actor.staff_id is not None and ReportAccused.objects.filter(report=report, staff_id=actor.staff_id).exists()


# --- reports ---------------------------------------------------------------------------------------------


def reports_visible_to(actor: Actor) -> QuerySet[Report]:
    qs = Report.objects.all()
    if actor.user_id is None or actor.is_admin:
        return qs.none()
    if not actor.is_staff_worker:
        if actor.village_supervisor_id is not None:
            return qs.filter(submitted_by_id=actor.user_id)
        return qs.none()
    qs = qs.filter(commission_id__in=actor.commission_ids)
    if not reads_whole_commission(actor):
        units = own_unit_ids(actor) | zone_member_unit_ids(actor)
        rule = Q(ledger_unit_id__in=units) | Q(routing_unit_id__in=units) | Q(handling_unit_id__in=units)
        zones = zone_reader_zone_ids(actor)
        if zones:
            rule |= Q(zone_id__in=zones)
        qs = qs.filter(rule)
    if actor.has(Role.COMMISSION_HEAD) and actor.commission_id is not None:
        qs = qs.exclude(concerns_head=True, commission_id=actor.commission_id)
    if actor.staff_id is not None:
        qs = qs.exclude(pk__in=_accused_report_ids(actor)).exclude(pk__in=_recused_report_ids(actor))
    return qs


def _recused_report_ids(actor: Actor) -> QuerySet[Any]:
    """Reports joined to a clue the actor has withdrawn from (回避): the whole matter is out of reach."""
    from xiezuoqu.clues.models import ClueReport
    from xiezuoqu.recusal.scope import recused_clue_ids

    return ClueReport.objects.filter(clue_id__in=recused_clue_ids(actor)).values("report_id")


def _recused_from_report(actor: Actor, report: Report) -> bool:
    from xiezuoqu.clues.models import ClueReport
    from xiezuoqu.recusal.scope import recused_clue_ids

    return ClueReport.objects.filter(report_id=report.pk, clue_id__in=recused_clue_ids(actor)).exists()


def can_view_report(actor: Actor, report: Report) -> bool:
    if actor.user_id is None or actor.is_admin:
        return False
    if not actor.is_staff_worker:
        return actor.village_supervisor_id is not None and report.submitted_by_id == actor.user_id
    if report.commission_id not in actor.commission_ids:
        return False
    if not reads_whole_commission(actor):
        units = own_unit_ids(actor) | zone_member_unit_ids(actor)
        mine = report.ledger_unit_id in units or report.routing_unit_id in units or report.handling_unit_id in units
        if not mine and report.zone_id not in zone_reader_zone_ids(actor):
            return False
    if actor.has(Role.COMMISSION_HEAD) and report.concerns_head and report.commission_id == actor.commission_id:
        return False
    if actor.staff_id is not None and _recused_from_report(actor, report):
        return False
    return not _names_actor_as_accused(actor, report)


def staff_reports(actor: Actor) -> QuerySet[Report]:
    """The scope as staff pages use it: a village supervisor has only their own plain-words page."""
    if not actor.is_staff_worker:
        return Report.objects.none()
    return reports_visible_to(actor)


def get_report_for(actor: Actor, report_id: Any) -> Report:
    """The funnel for one report on staff pages and the API (404 for missing and forbidden alike)."""
    queryset = staff_reports(actor).select_related(
        "commission", "ledger_unit", "routing_unit", "handling_unit", "zone", "township", "village", "repeat_of"
    )
    return REPORTS.get_for(actor, report_id, queryset=queryset)


def view_report(actor: Actor, report_id: Any, *, request: HttpRequest | None = None) -> Report:
    """Open a report's page: through the funnel, and on record (reports are sensitive)."""
    report = get_report_for(actor, report_id)
    record_view(actor=actor, target=report, request=request)
    return report


# Who sees a report at each state, for each way it arrives — the rule above, as docs/lifecycles.md
# prints it (``sight_notes``); tests/intake/test_scope.py holds the rule to it, role by role.
REPORT_SIGHT: tuple[tuple[str, str, str], ...] = (
    (
        "已接收：网络举报",
        "信访室（信访干部、信访室登记员）、案管室、市纪委监委领导；举报人凭查询码查看办理进度",
        "检举控告工作规则：网络举报由信访室统一接收；未登记前尚未归口，协作区不可见",
    ),
    (
        "已接收：村级监督员反映",
        "上述全委可见人员；所在乡镇纪委（收件单位）及其所在协作区的组长、副组长、纪检监察室干部；提交的监督员本人",
        "日常工作规定：村级监督员反映由所在乡镇纪委接收，待登记员登记",
    ),
    (
        "已登记（任何来源：来信、来访、电话、网络、监督员）",
        "上述全委可见人员；登记单位；所涉协作区——件中写明问题所在乡镇的，为该乡镇所在协作区，"
        "未写明的为登记单位所在协作区——的组长、副组长、纪检监察室干部（同时收到即时通知）",
        "流程1（受理归口）：登记后即时报告市纪委监委信访室和所涉协作区纪检监察室",
    ),
    (
        "转下级办理",
        "以上人员，加上接收的下级单位及其所在协作区（件尚无协作区时取该单位的）",
        "检举控告工作规则：转下级办理的，下级单位在5个工作日内受理",
    ),
    (
        "受理、分办、办结、反馈、归档",
        "以上人员，加上承办单位（及件尚无协作区时承办单位所在协作区）；归档不改变可见范围",
        "检举控告办理程序规定（试行）：受理、分办、处置、反馈、归档",
    ),
    (
        "报送上级（反映本级主要负责人）",
        "上述全委可见人员，但本级主要负责人本人不可见",
        "检举控告工作规则：反映本级纪检监察机关主要负责人问题的，直接报送上一级纪检监察机关",
    ),
    (
        "任何状态下始终排除",
        "被反映人本人（被反映人与干部库匹配的）；已回避该线索的人员；系统管理员、安全保密管理员、安全审计员",
        "监督执纪工作规则第五十条（回避）；三员分立",
    ),
)


def sight_notes() -> str:
    """``REPORT_SIGHT`` as the Markdown table docs/lifecycles.md prints under the intake diagram."""
    rows = ["| 状态与来源 | 谁能看到 | 依据 |", "|---|---|---|"]
    rows += [f"| {state} | {who} | {rule} |" for state, who, rule in REPORT_SIGHT]
    return "谁能看到检举控告件（`reports_visible_to`）：\n\n" + "\n".join(rows) + "\n"


# --- children of a report ------------------------------------------------------------------------------


def _child_scope(actor: Actor, model: Any) -> QuerySet[Any]:
    if not actor.is_staff_worker:
        return model.objects.none()
    return model.objects.filter(report__in=reports_visible_to(actor))


def accused_visible_to(actor: Actor) -> QuerySet[ReportAccused]:
    return _child_scope(actor, ReportAccused)


def can_view_accused(actor: Actor, accused: ReportAccused) -> bool:
    return actor.is_staff_worker and can_view_report(actor, accused.report)


def messages_visible_to(actor: Actor) -> QuerySet[ReportMessage]:
    return _child_scope(actor, ReportMessage)


def can_view_message(actor: Actor, message: ReportMessage) -> bool:
    return actor.is_staff_worker and can_view_report(actor, message.report)


def decisions_visible_to(actor: Actor) -> QuerySet[RoutingDecision]:
    return _child_scope(actor, RoutingDecision)


def can_view_decision(actor: Actor, decision: RoutingDecision) -> bool:
    return actor.is_staff_worker and can_view_report(actor, decision.report)


# --- the reporter's identity -----------------------------------------------------------------------------


def _active_grant_q(actor: Actor, now: Any = None) -> QuerySet[IdentityGrant]:
    return IdentityGrant.objects.filter(user_id=actor.user_id, expires_at__gt=now or timezone.now())


def identities_visible_to(actor: Actor) -> QuerySet[ReporterIdentity]:
    if not actor.is_staff_worker:
        return ReporterIdentity.objects.none()
    qs = ReporterIdentity.objects.filter(report__in=reports_visible_to(actor))
    if is_petition_office(actor):
        return qs
    return qs.filter(report_id__in=_active_grant_q(actor).values("report_id"))


def can_view_identity(actor: Actor, identity: ReporterIdentity) -> bool:
    if not actor.is_staff_worker or not can_view_report(actor, identity.report):
        return False
    return is_petition_office(actor) or _active_grant_q(actor).filter(report_id=identity.report_id).exists()


def active_grant(actor: Actor, report: Report) -> IdentityGrant | None:
    return _active_grant_q(actor).filter(report=report).order_by("-expires_at").first()


def may_view_identity(actor: Actor, report: Report) -> bool:
    """Whether the page offers the identity (the view itself goes through ``reveal_identity``)."""
    return report.is_real_name and (is_petition_office(actor) or active_grant(actor, report) is not None)


@dataclass(frozen=True)
class RevealedIdentity:
    report_id: int
    name: str
    phone: str
    id_number: str
    address: str
    work_unit: str
    via_grant_until: Any = None


def reveal_identity(actor: Actor, report_id: Any, *, request: HttpRequest | None = None) -> RevealedIdentity:
    """The reporter's identity, opened: the petition office, or a grant holder. Every view is recorded.

    Refused views are recorded at the edge (``reporter_identity.viewed``, outcome refused).
    """
    report = get_report_for(actor, report_id)
    refusal: dict[str, Any] = {
        "audit_action": "reporter_identity.viewed",
        "target_type": "intake.reporteridentity",
        "target_id": str(report.pk),
    }
    if not report.is_real_name:
        raise NotFound("该件为匿名举报，没有举报人身份信息。", **refusal)
    grant = None if is_petition_office(actor) else active_grant(actor, report)
    if not is_petition_office(actor) and grant is None:
        raise NotPermitted(
            "举报人身份信息仅限信访室查阅。确因办理需要，请提出查阅申请，经纪委书记批准后在有效期内查阅。",
            **refusal,
        )
    identity = IDENTITIES.get_for(actor, report.pk, queryset=identities_visible_to(actor).select_related("report"))
    plain = identity.opened()
    record_event(
        actor=actor,
        action="reporter_identity.viewed",
        target=identity,
        detail={"report": report.pk, "via": "grant" if grant else "petition_office"},
        request=request,
    )
    return RevealedIdentity(
        report_id=report.pk,
        via_grant_until=grant.expires_at if grant else None,
        **plain,
    )


def grants_visible_to(actor: Actor) -> QuerySet[IdentityGrant]:
    if not actor.is_staff_worker:
        return IdentityGrant.objects.none()
    rule = Q(user_id=actor.user_id)
    if is_petition_office(actor) or actor.is_leadership:
        rule |= Q(report__in=reports_visible_to(actor))
    return IdentityGrant.objects.filter(rule)


def can_view_grant(actor: Actor, grant: IdentityGrant) -> bool:
    if not actor.is_staff_worker:
        return False
    if grant.user_id == actor.user_id:
        return True
    return (is_petition_office(actor) or actor.is_leadership) and can_view_report(actor, grant.report)


# --- notifications, formats, quarterly reports -----------------------------------------------------------


def notifications_visible_to(actor: Actor) -> QuerySet[Notification]:
    if actor.user_id is None or actor.is_admin:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=actor.user_id)


def can_view_notification(actor: Actor, notification: Notification) -> bool:
    return actor.user_id is not None and not actor.is_admin and notification.recipient_id == actor.user_id


def unread_count(actor: Actor, *, cap: int = 99) -> int:
    """The bell's number, bounded (never a COUNT(*) over everything)."""
    ids = notifications_visible_to(actor).filter(read_at__isnull=True).values_list("pk", flat=True)[: cap + 1]
    return len(ids)


FORMAT_READERS = STAFF_ROLES | {Role.SYSTEM_ADMIN}


def formats_visible_to(actor: Actor) -> QuerySet[LedgerFormat]:
    if not actor.roles & FORMAT_READERS:
        return LedgerFormat.objects.none()
    return LedgerFormat.objects.filter(unit__commission_id__in=actor.commission_ids)


def can_view_format(actor: Actor, ledger_format: LedgerFormat) -> bool:
    return bool(actor.roles & FORMAT_READERS) and ledger_format.unit.commission_id in actor.commission_ids


def quarterly_visible_to(actor: Actor) -> QuerySet[QuarterlyResultReport]:
    if not actor.is_staff_worker or actor.is_admin:
        return QuarterlyResultReport.objects.none()
    qs = QuarterlyResultReport.objects.filter(commission_id__in=actor.commission_ids)
    if reads_whole_commission(actor):
        return qs
    return qs.filter(Q(handling_unit_id__in=own_unit_ids(actor)) | actor.unit_q("handling_unit"))


def can_view_quarterly(actor: Actor, row: QuarterlyResultReport) -> bool:
    if not actor.is_staff_worker or actor.is_admin or row.commission_id not in actor.commission_ids:
        return False
    if reads_whole_commission(actor):
        return True
    unit = row.handling_unit
    return unit.pk in own_unit_ids(actor) or actor.reaches_unit(unit.pk, unit.commission_id)


REPORTS = register(Policy(Report, "检举控告件", reports_visible_to, can_view_report, sensitive=True, case_content=True))
ACCUSED = register(Policy(ReportAccused, "被反映人", accused_visible_to, can_view_accused, case_content=True))
IDENTITIES = register(
    Policy(ReporterIdentity, "举报人身份", identities_visible_to, can_view_identity, sensitive=True, case_content=True)
)
GRANTS = register(Policy(IdentityGrant, "举报人身份查阅授权", grants_visible_to, can_view_grant, case_content=True))
MESSAGES = register(Policy(ReportMessage, "与举报人往来", messages_visible_to, can_view_message, case_content=True))
DECISIONS = register(
    Policy(RoutingDecision, "受理归口决定", decisions_visible_to, can_view_decision, case_content=True)
)
NOTIFICATIONS = register(
    Policy(Notification, "信访通知", notifications_visible_to, can_view_notification, case_content=True)
)
FORMATS = register(Policy(LedgerFormat, "台账编号格式", formats_visible_to, can_view_format))
QUARTERLY = register(
    Policy(
        QuarterlyResultReport, "实名举报办理结果季度报送", quarterly_visible_to, can_view_quarterly, case_content=True
    )
)


# --- who may do what (the services enforce these; pages show the matching buttons) ------------------------


def is_registrar_of(actor: Actor, unit_id: int | None) -> bool:
    return unit_id is not None and actor.has(Role.REGISTRAR) and unit_id in actor.units_for_role(Role.REGISTRAR)


def registrar_units(actor: Actor) -> QuerySet[Unit]:
    """The units whose ledger this actor registers into (登记员 at that unit)."""
    units = actor.units_for_role(Role.REGISTRAR) if actor.has(Role.REGISTRAR) else frozenset()
    return Unit.objects.filter(pk__in=units, commission_id__in=actor.commission_ids, is_active=True).select_related(
        "commission"
    )


def holds_role_at(actor: Actor, unit_id: int | None, roles: Iterable[str]) -> bool:
    return unit_id is not None and any(r in actor.roles and unit_id in actor.units_for_role(r) for r in roles)


def may_route(actor: Actor, report: Report) -> bool:
    """受理归口: the petition office for every report of the commission; at the unit whose turn it is,
    its registrar, its township secretary, or the staff of the office or group it is."""
    if actor.is_admin or not actor.is_staff_worker or report.commission_id != actor.commission_id:
        return False
    return is_petition_office(actor) or holds_role_at(actor, report.routing_unit_id, UNIT_ROUTER_ROLES)


def may_handle(actor: Actor, report: Report) -> bool:
    """办结: staff of the handling unit, and the leader or deputies of the report's zone."""
    if actor.is_admin or not actor.is_staff_worker or report.handling_unit_id is None:
        return False
    if holds_role_at(actor, report.handling_unit_id, HANDLER_ROLES):
        return True
    return report.zone_id is not None and report.zone_id in (actor.led_zone_ids | actor.deputy_zone_ids)


def may_contact_reporter(actor: Actor, report: Report) -> bool:
    """Notices, feedback, questions and objections: the petition office, the registering or routing unit's
    routers, and the handling unit."""
    if actor.is_admin or not actor.is_staff_worker:
        return False
    if is_petition_office(actor) or may_route(actor, report) or may_handle(actor, report):
        return True
    return holds_role_at(actor, report.ledger_unit_id, UNIT_ROUTER_ROLES)


def may_archive(actor: Actor, report: Report) -> bool:
    if actor.is_admin or not actor.is_staff_worker:
        return False
    return is_petition_office(actor) or holds_role_at(actor, report.ledger_unit_id, UNIT_ROUTER_ROLES)


# --- ledger queries --------------------------------------------------------------------------------------


@dataclass
class LedgerFilters:
    state: str = ""
    channel: str = ""
    category: str = ""
    unit: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""
    real_name: str = ""  # "yes" / "no" / ""

    def as_query(self) -> dict[str, str]:
        out = {
            "state": self.state,
            "channel": self.channel,
            "category": self.category,
            "unit": str(self.unit or ""),
            "received_from": self.received_from.isoformat() if self.received_from else "",
            "received_to": self.received_to.isoformat() if self.received_to else "",
            "q": self.q,
            "real_name": self.real_name,
        }
        return {k: v for k, v in out.items() if v}


def ledger_queryset(actor: Actor, filters: LedgerFilters, *, registered_only: bool = True) -> QuerySet[Report]:
    """The ledger in scope with the filters applied, newest first (the order of the keyset)."""
    qs = staff_reports(actor)
    if registered_only:
        qs = qs.exclude(state=State.RECEIVED)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.unit:
        qs = qs.filter(Q(ledger_unit_id=filters.unit) | Q(handling_unit_id=filters.unit))
    if filters.received_from:
        qs = qs.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(received_on__lte=filters.received_to)
    if filters.real_name == "yes":
        qs = qs.filter(is_real_name=True)
    elif filters.real_name == "no":
        qs = qs.filter(is_real_name=False)
    text = filters.q.strip()
    if text:
        # icontains behaves the same on SQLite and PostgreSQL for Chinese text (no case to fold).
        text_rule = Q(summary__icontains=text) | Q(content__icontains=text) | Q(ledger_number__icontains=text)
        qs = qs.filter(text_rule)
    return qs.order_by("-id")


def with_list_relations(qs: QuerySet[Report]) -> QuerySet[Report]:
    """What a ledger row shows, in a fixed number of queries whatever the page size."""
    return qs.select_related("ledger_unit", "handling_unit").prefetch_related(
        Prefetch("accused", queryset=ReportAccused.objects.order_by("order", "id"))
    )


def ledger_page(
    actor: Actor, filters: LedgerFilters, *, before: int | None = None, limit: int = 50, registered_only: bool = True
) -> tuple[list[Report], int | None]:
    """One keyset page (id descending): the rows and the ``before`` cursor of the next page, if any."""
    qs = ledger_queryset(actor, filters, registered_only=registered_only)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(with_list_relations(qs)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


def received_queue(actor: Actor) -> QuerySet[Report]:
    """待登记: reports received at a unit whose registrar the actor is (and, for the petition office's
    registrar, at units that have no registrar of their own)."""
    if not actor.has(Role.REGISTRAR):
        return Report.objects.none()
    units = set(registrar_units(actor).values_list("pk", flat=True))
    rule = Q(ledger_unit_id__in=units)
    if petition_office_units(actor):
        rule |= Q(ledger_unit_id__in=units_without_registrar(actor.commission_id))
    return staff_reports(actor).filter(rule, state=State.RECEIVED).order_by("received_on", "id")


def units_without_registrar(commission_id: int | None) -> QuerySet[Unit]:
    from xiezuoqu.accounts.models import RoleAssignment

    with_registrar = RoleAssignment.objects.filter(role=Role.REGISTRAR, user__is_active=True, unit__isnull=False)
    return (
        Unit.objects.filter(commission_id=commission_id).exclude(pk__in=with_registrar.values("unit_id")).values("pk")  # type: ignore[return-value]
    )


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    from datetime import timedelta

    return start, end - timedelta(days=1)


def quarterly_results(actor: Actor, year: int, quarter: int, unit_id: int | None = None) -> QuerySet[Report]:
    """Concluded real-name reports of a quarter, in scope, grouped on the page per handling unit."""
    start, end = quarter_bounds(year, quarter)
    qs = staff_reports(actor).filter(is_real_name=True, concluded_on__gte=start, concluded_on__lte=end)
    if unit_id:
        qs = qs.filter(handling_unit_id=unit_id)
    return with_list_relations(qs).order_by("handling_unit__sort_order", "handling_unit_id", "concluded_on", "id")


def village_submissions(actor: Actor) -> QuerySet[Report]:
    """A village supervisor's own submissions (the 我的监督 page shows their text and a plain status)."""
    if actor.village_supervisor_id is None:
        return Report.objects.none()
    return reports_visible_to(actor).filter(submitted_by_id=actor.user_id).order_by("-id")


# --- duplicates ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An earlier report that may repeat this one, with the dedup index's score and reasons."""

    report: Report
    score: float
    text_score: float
    same_person: bool
    reasons: tuple[str, ...]
    decision: str | None


def duplicate_candidates(actor: Actor, report: Report, *, limit: int = 10) -> list[Candidate]:
    """Near-duplicates from the index (MinHash LSH + the accused's blind-indexed names), cut to the
    actor's scope: a registrar never learns of a report they may not see."""
    from xiezuoqu.dedup.services import find_similar

    if report.state == State.RECEIVED:
        return []
    names = [a.name for a in report.accused.all() if a.name and a.name != "不详"]
    matches = find_similar(
        text=f"{report.summary}\n{report.content}",
        accused_names=names,
        commission_ids=[report.commission_id],
        exclude=("report", report.pk),
        limit=limit,
    )
    ids = [m.object_id for m in matches if m.kind == "report"]
    visible = {r.pk: r for r in staff_reports(actor).filter(pk__in=ids).select_related("ledger_unit")}
    return [
        Candidate(visible[m.object_id], m.score, m.text_score, m.same_person, m.reasons, m.decision)
        for m in matches
        if m.kind == "report" and m.object_id in visible
    ]
