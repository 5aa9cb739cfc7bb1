"""Scoped reads of the screening data (docs/decisions/0003-scope.md; issue 15).

Who sees what:
- the commission's 案管 and its leaders (纪委书记, 委领导) see every batch, row and hit of the commission
  (and of the commissions below it);
- a zone's leader, deputies and the staff of its office and dispatched groups see the rows and hits of
  the zone's member townships, and the batches of their commission (what was imported, not the rows);
- nobody else: township cadres do not screen their own township (熟人社会), the administrators never.
Acting on a hit (排除 / 转为线索) is for the zone's leadership and office (``zone_reader_zone_ids``) and
for 案管; importing for 案管 and zone staff (each row must lie in the importer's reach).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import ZONE_WIDE_ROLES, Role
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import clues_visible_to
from xiezuoqu.intake.selectors import zone_reader_zone_ids
from xiezuoqu.org.selectors import can_view_relationship, relationships_visible_to
from xiezuoqu.recusal.scope import is_recused, recused_clue_ids

from .models import Hit, HitState, ImportBatch, ItemStandard, Payment, ReferenceList, RuleCode, ScreeningRule

OVERSEER_ROLES = frozenset({Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER})
SCREENING_ROLES = OVERSEER_ROLES | ZONE_WIDE_ROLES
PAGE_SIZE = 50


def may_screen(actor: Actor) -> bool:
    """The menu entry and every page: a role that reads the commission's screening."""
    return not actor.is_admin and actor.commission_id is not None and bool(actor.roles & SCREENING_ROLES)


def is_overseer(actor: Actor) -> bool:
    return may_screen(actor) and bool(actor.roles & OVERSEER_ROLES)


def may_import(actor: Actor) -> bool:
    return may_screen(actor) and (actor.has(Role.CASE_MANAGER) or bool(actor.roles & ZONE_WIDE_ROLES))


def may_configure(actor: Actor) -> bool:
    """Rules, standards and reference lists: 案管 keeps them for the commission."""
    return may_screen(actor) and actor.has(Role.CASE_MANAGER)


def _place_q(actor: Actor, path: str) -> Q:
    if not may_screen(actor):
        return Q(pk__in=[])
    if actor.roles & OVERSEER_ROLES:
        return Q(**{f"{path}__commission_id__in": actor.commission_ids})
    units = actor.work_unit_ids() or frozenset()
    return Q(**{f"{path}__in": units})


def reaches_township(actor: Actor, township_id: int | None, township_commission_id: int | None) -> bool:
    if not may_screen(actor) or township_id is None:
        return False
    if actor.roles & OVERSEER_ROLES:
        return township_commission_id in actor.commission_ids
    return township_id in (actor.work_unit_ids() or frozenset())


# --- policies ----------------------------------------------------------------------------------------------


def batches_visible_to(actor: Actor) -> QuerySet[ImportBatch]:
    if not may_screen(actor):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(commission_id__in=actor.commission_ids)


def can_view_batch(actor: Actor, batch: ImportBatch) -> bool:
    return may_screen(actor) and batch.commission_id in actor.commission_ids


def payments_visible_to(actor: Actor) -> QuerySet[Payment]:
    return Payment.objects.filter(_place_q(actor, "township"))


def can_view_payment(actor: Actor, payment: Payment) -> bool:
    return reaches_township(actor, payment.township_id, payment.township.commission_id)


def hits_visible_to(actor: Actor) -> QuerySet[Hit]:
    """The hits of the actor's places, minus (as the clue funnel) the hits that name the actor — a payment
    to himself or to a relative he declared — and the hits whose clue he has withdrawn from (回避)."""
    qs = Hit.objects.filter(_place_q(actor, "township"))
    if actor.staff_id is not None:
        qs = qs.exclude(staff_id=actor.staff_id).exclude(clue_id__in=recused_clue_ids(actor))
    return qs


def can_view_hit(actor: Actor, hit: Hit) -> bool:
    if not reaches_township(actor, hit.township_id, hit.township.commission_id):
        return False
    return actor.staff_id is None or not (hit.staff_id == actor.staff_id or is_recused(actor, hit.clue_id))


def relation_shown(actor: Actor) -> Exists:
    """Annotation: the actor may read the declared relationship the hit rests on (利害关系申报 funnel)."""
    return Exists(relationships_visible_to(actor).filter(pk=OuterRef("relationship_id")))


def explanation_for(actor: Actor, hit: Hit) -> str:
    """The hit's explanation: the one naming the declared relationship only to a reader of the declaration
    (``relation_shown`` annotated by the list, else asked); every other reader gets the neutral text."""
    if hit.relationship_id is None or not hit.relation_note:
        return hit.explanation
    shown = getattr(hit, "relation_shown", None)
    if shown is None:
        shown = hit.relationship is not None and can_view_relationship(actor, hit.relationship)
    return hit.relation_note if shown else hit.explanation


def lists_visible_to(actor: Actor) -> QuerySet[ReferenceList]:
    if not may_screen(actor):
        return ReferenceList.objects.none()
    return ReferenceList.objects.filter(commission_id__in=actor.commission_ids)


def can_view_list(actor: Actor, found: ReferenceList) -> bool:
    return may_screen(actor) and found.commission_id in actor.commission_ids


BATCHES = register(Policy(ImportBatch, "资金发放数据导入批次", batches_visible_to, can_view_batch))
PAYMENTS = register(Policy(Payment, "资金发放记录", payments_visible_to, can_view_payment, sensitive=True))
HITS = register(Policy(Hit, "筛查疑点", hits_visible_to, can_view_hit, sensitive=True, case_content=True))
LISTS = register(Policy(ReferenceList, "死亡及迁出人员名单", lists_visible_to, can_view_list, sensitive=True))


def get_batch_for(actor: Actor, batch_id: Any) -> ImportBatch:
    return BATCHES.get_for(actor, batch_id, queryset=batches_visible_to(actor).select_related("imported_by"))


def get_hit_for(actor: Actor, hit_id: Any) -> Hit:
    return HITS.get_for(
        actor,
        hit_id,
        queryset=hits_visible_to(actor)
        .select_related("rule", "township", "village", "zone", "clue", "decided_by")
        .annotate(clue_shown=clue_shown(actor), relation_shown=relation_shown(actor)),
    )


def may_act_on(actor: Actor, hit: Hit) -> bool:
    """排除 or 转为线索: 案管 of the commission, or the leadership and office of the hit's zone."""
    if not can_view_hit(actor, hit) or hit.commission_id != actor.commission_id:
        return False
    return actor.has(Role.CASE_MANAGER) or (hit.zone_id is not None and hit.zone_id in zone_reader_zone_ids(actor))


# --- the links between a hit and its clue -------------------------------------------------------------------


def clue_shown(actor: Actor) -> Exists:
    """Annotation: the hit's clue is one the actor may open (the clue funnel, inside the hit query). Only
    such a clue is named and linked; of the others a page says only that the hit became a clue."""
    return Exists(clues_visible_to(actor).filter(pk=OuterRef("clue_id")))


def shown_clue(actor: Actor, hit: Hit) -> Clue | None:
    """The hit's clue if the actor may open it, else None (``clue_shown`` annotated by ``get_hit_for`` and
    the list, else asked)."""
    if hit.clue_id is None:
        return None
    shown = getattr(hit, "clue_shown", None)
    if shown is None:
        shown = clues_visible_to(actor).filter(pk=hit.clue_id).exists()
    return hit.clue if shown else None


def hit_of_clue(actor: Actor, clue_id: int) -> Hit | None:
    """The hit a clue was made from, if the actor may open it (the hit funnel), else None."""
    return hits_visible_to(actor).filter(clue_id=clue_id).only("id", "clue_id").first()


# --- lists ------------------------------------------------------------------------------------------------


def batch_list(actor: Actor, *, limit: int = PAGE_SIZE) -> list[ImportBatch]:
    return list(batches_visible_to(actor).select_related("imported_by").order_by("-id")[:limit])


def reference_lists(actor: Actor, *, limit: int = 20) -> list[ReferenceList]:
    return list(lists_visible_to(actor).select_related("imported_by").order_by("-id")[:limit])


def hit_list(
    actor: Actor,
    *,
    state: str = "",
    rule: str = "",
    township_id: int | None = None,
    batch_id: int | None = None,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[Hit]:
    """A page of hits, newest first, keyset-paginated by id (``before_id``); filters are optional."""
    qs = hits_visible_to(actor)
    if state:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule__code=rule)
    if township_id:
        qs = qs.filter(township_id=township_id)
    if batch_id:
        qs = qs.filter(hit_rows__payment__batch_id=batch_id).distinct()
    if before_id:
        qs = qs.filter(pk__lt=before_id)
    qs = qs.select_related("rule", "township", "village", "clue").annotate(
        clue_shown=clue_shown(actor), relation_shown=relation_shown(actor)
    )
    return list(qs.order_by("-id")[:limit])


def hit_rows(actor: Actor, hit: Hit) -> list[Payment]:
    return list(
        payments_visible_to(actor)
        .filter(hits=hit)
        .select_related("township", "village", "batch")
        .order_by("paid_on", "id")
    )


def open_counts(actor: Actor) -> dict[str, int]:
    from django.db.models import Count

    rows = hits_visible_to(actor).filter(state=HitState.OPEN).values("rule__code").annotate(n=Count("id"))
    return {row["rule__code"]: row["n"] for row in rows}


def rules_of(commission_id: int) -> list[ScreeningRule]:
    order = {code: i for i, code in enumerate(RuleCode.values)}
    return sorted(ScreeningRule.objects.filter(commission_id=commission_id), key=lambda r: order.get(r.code, 99))


def default_rules(commission_id: int) -> list[ScreeningRule]:
    """Every rule with its default settings, unsaved (``detectors.DEFAULTS``)."""
    from .detectors import DEFAULTS

    return [
        ScreeningRule(
            commission_id=commission_id,
            code=code,
            name=spec.name,
            threshold=spec.threshold,
            window_days=spec.window_days,
            min_count=spec.min_count,
            ratio=spec.ratio,
            basis=spec.basis,
        )
        for code, spec in DEFAULTS.items()
    ]


def rules_shown(commission_id: int) -> list[ScreeningRule]:
    """The rules as a page shows them, read only: the saved rows, and the defaults of the rules not yet
    saved (the first screening run or rule change saves them)."""
    saved = {r.code: r for r in rules_of(commission_id)}
    return [saved.get(r.code, r) for r in default_rules(commission_id)]


def standards_of(commission_id: int) -> list[ItemStandard]:
    return list(ItemStandard.objects.filter(commission_id=commission_id).order_by("kind", "item"))
