#!/usr/bin/env python
"""Benchmark 类案参考: the similar-case lookup over a national year of decided cases (issue 15).

    createdb -h 127.0.0.1 -U postgres bench_similar
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_similar .venv/bin/python bench/bench_similar.py \\
        --decided 300000 --wipe

The organisation: ``--provinces`` provinces × ``--cities`` cities × ``--counties`` counties (default
10 × 5 × 10 = 500 county commissions, with their cities and provinces). ``--decided`` decided cases
(default 300,000 — a national year of ~0.8 M cases, of which about 300 k end in a decision) are spread
over the counties, each with its subject, case, approval request, approved decision (处理方式 drawn
by 四种形态 as in bench_summary), and facts: 问题类别 (weighted to 扶贫、三资、惠农), 1–2 articles from
the category's pool, an amount (log-normal, none for a third), the subject's level, 0–2 circumstances.
Rows are loaded with PostgreSQL COPY (psycopg ``cursor.copy``) in one pass per table; each county's
cases share one clue (the lookup never reads clues except for the visibility check of the ≤ 30 cases
of the similar set). SQLite (no DATABASE_URL) works for a small ``--decided`` only.

Timed: ``similar.guidance`` — the commission tree, the candidate query, the scoring and the visibility
check (the audit writes of a page read are not included) — for ``--drafts`` drafts (default 200:
75 % by a county's trial office, 20 % a city's, 5 % a province's, each draft the facts and outcome of a
random decided case of that scope), next to the raw SQL of the candidate query replayed through a bare
cursor. Prints p50/p95/max by scope and overall, the candidate and similar-set sizes, and the EXPLAIN of
one province draft. Timing never decides anything.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from _env import setup_django

CATEGORIES = (
    ("poverty", 22),
    ("collective_assets", 22),
    ("farm_subsidy", 18),
    ("integrity", 12),
    ("eight_rules", 10),
    ("masses", 6),
    ("work", 5),
    ("formalism", 3),
    ("organisational", 1),
    ("life", 1),
)
# The articles of 纪律处分条例 each category is usually judged under (a pool per category; overlapping).
ARTICLES = {
    "poverty": (102, 103, 109, 110, 121),
    "collective_assets": (102, 103, 104, 110, 121),
    "farm_subsidy": (102, 103, 109, 121),
    "integrity": (95, 96, 97, 98, 99, 100, 101, 102),
    "eight_rules": (105, 106, 107, 108, 113),
    "masses": (118, 119, 120, 121, 122),
    "work": (129, 130, 131, 132, 133),
    "formalism": (128, 129, 130, 136),
    "organisational": (78, 79, 80, 81, 82),
    "life": (153, 154, 155),
}
RANKS = (("village", 45), ("clerk", 25), ("section", 20), ("county", 5), ("other", 5))
CIRCUMSTANCES = (
    "confessed",
    "cooperated",
    "reported_others",
    "recovered_losses",
    "returned_gains",
    "refused_return",
    "repeated",
    "obstructed",
    "lied",
)
DECISIONS: dict[int | None, list[list[str]]] = {
    1: [["talk_reminder"], ["criticism"], ["admonition"]],
    2: [
        ["party_warning"],
        ["party_serious_warning"],
        ["gov_warning"],
        ["gov_demerit"],
        ["party_warning", "gov_demerit"],
    ],
    3: [["party_removal"], ["party_probation"], ["gov_demotion"], ["party_probation", "gov_dismissal_from_post"]],
    4: [["party_expulsion", "gov_expulsion", "to_procuratorate"]],
}
FORM_WEIGHTS = ((1, 25), (2, 45), (3, 22), (4, 8))


def pick(rng: random.Random, weighted: Any) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decided", type=int, default=300_000, help="decided cases to load (default 300000)")
    parser.add_argument("--provinces", type=int, default=10)
    parser.add_argument("--cities", type=int, default=5, help="cities per province")
    parser.add_argument("--counties", type=int, default=10, help="counties per city")
    parser.add_argument("--drafts", type=int, default=200, help="timed drafts (default 200)")
    parser.add_argument("--wipe", action="store_true", help="flush DATABASE_URL first (never on real data)")
    return parser.parse_args()


# --- loading -------------------------------------------------------------------------------------------


def _fill(model: Any, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Every concrete column of ``model``: the given values, else the field's default, null or now."""
    row: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        name = f.attname
        if name in values:
            row[f.column] = values[name]
        elif f.name in values:
            row[f.column] = values[f.name]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            row[f.column] = now
        elif f.has_default():
            row[f.column] = f.get_default()
        elif f.null:
            row[f.column] = None
        elif f.primary_key:
            continue
        elif f.empty_strings_allowed and f.get_internal_type() in ("CharField", "TextField"):
            row[f.column] = ""
        else:
            raise SystemExit(f"{model.__name__}.{name}: no value")
    return row


class Loader:
    """Rows by model with explicit ids, written with COPY (PostgreSQL) or bulk inserts (SQLite)."""

    def __init__(self) -> None:
        self.rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.next_id: dict[Any, int] = {}

    def new_id(self, model: Any) -> int:
        if model not in self.next_id:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            self.next_id[model] = last + 1
        pk = self.next_id[model]
        self.next_id[model] += 1
        return pk

    def add(self, model: Any, row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def flush(self, order: list[Any]) -> None:
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for model in order:
                rows = self.rows.pop(model, [])
                if not rows:
                    continue
                columns = list(rows[0])
                table = model._meta.db_table
                jsonish = {f.column for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"}
                t0 = time.perf_counter()
                if connection.vendor == "postgresql":
                    cols = ", ".join(f'"{c}"' for c in columns)
                    with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(
                                [json.dumps(row[c], ensure_ascii=False) if c in jsonish else row[c] for c in columns]
                            )
                else:
                    cols = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join("%s" for _ in columns)
                    cursor.executemany(
                        f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                        [[json.dumps(r[c]) if c in jsonish else r[c] for c in columns] for r in rows],
                    )
                print(f"  {table}: {len(rows):,} 行，{time.perf_counter() - t0:.1f} s", flush=True)
            if connection.vendor == "postgresql":
                for model in order:
                    table, pk = model._meta.db_table, model._meta.pk.column
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk}'), "
                        f'(SELECT COALESCE(MAX("{pk}"), 1) FROM "{table}"))'
                    )


def build(args: argparse.Namespace) -> tuple[dict[str, list[int]], dict[int, Any], list[dict[str, Any]]]:
    """The commissions (by level), a trial-office actor per commission, and the drafts' raw material."""
    from django.utils import timezone

    from xiezuoqu.access.actor import build_actor
    from xiezuoqu.accounts.models import RoleAssignment, User
    from xiezuoqu.accounts.roles import Role
    from xiezuoqu.approvals.models import ApprovalChain, ApprovalRequest
    from xiezuoqu.cases.models import Case, PersonDecision
    from xiezuoqu.clues.models import Clue, Subject
    from xiezuoqu.org.models import Commission, StaffMember, Unit
    from xiezuoqu.precedents.models import CaseFactKey, CaseFacts
    from xiezuoqu.sanctions.rules import form_of

    rng = random.Random(20261207)
    now = timezone.now()
    levels: dict[str, list[int]] = {"province": [], "city": [], "county": []}
    parents: dict[int, int] = {}
    for p in range(args.provinces):
        province = Commission.objects.create(name=f"类案基准第{p + 1}省", short_name=f"省{p + 1}", level="province")
        levels["province"].append(province.pk)
        cities = Commission.objects.bulk_create(
            [
                Commission(
                    name=f"类案基准{p + 1}省第{c + 1}市", short_name=f"市{p + 1}-{c + 1}", level="city", parent=province
                )
                for c in range(args.cities)
            ]
        )
        for city in cities:
            levels["city"].append(city.pk)
            parents[city.pk] = province.pk
            counties = Commission.objects.bulk_create(
                [
                    Commission(
                        name=f"{city.name}第{k + 1}县", short_name=f"县{city.pk}-{k + 1}", level="county", parent=city
                    )
                    for k in range(args.counties)
                ]
            )
            for county in counties:
                levels["county"].append(county.pk)
                parents[county.pk] = city.pk
    every = levels["province"] + levels["city"] + levels["county"]
    units = Unit.objects.bulk_create(
        [Unit(commission_id=c, kind=Unit.Kind.TRIAL_OFFICE, name="案件审理室") for c in every], batch_size=2_000
    )
    unit_of = {u.commission_id: u.pk for u in units}
    staff = StaffMember.objects.bulk_create(
        [StaffMember(commission_id=c, name="审理室干部", home_unit_id=unit_of[c], position="干部") for c in every],
        batch_size=2_000,
    )
    users = []
    for s in staff:
        user = User(username=f"similar_trial_{s.commission_id}", commission_id=s.commission_id, staff_id=s.pk)
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users, batch_size=2_000)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=Role.TRIAL_STAFF, unit_id=unit_of[u.commission_id]) for u in users],
        batch_size=2_000,
    )
    actors = {u.commission_id: build_actor(u) for u in users}
    loader_user = users[0]
    chain = ApprovalChain.objects.create(commission_id=every[0], matter_type="case.sanction", name="处理决定审批")
    clue_of: dict[int, int] = {}
    loader = Loader()
    for c in levels["county"]:
        pk = loader.new_id(Clue)
        clue_of[c] = pk
        loader.add(
            Clue,
            _fill(
                Clue,
                {
                    "id": pk,
                    "commission_id": c,
                    "handling_unit_id": unit_of[c],
                    "ledger_year": 2025,
                    "ledger_seq": 1,
                    "ledger_number": f"基准线〔2025〕{pk}号",
                    "source": "reports",
                    "category": "poverty",
                    "summary": "类案基准",
                    "received_on": date(2025, 1, 2),
                    "state": "preliminary_verification",
                    "state_changed_at": now,
                    "registered_by_id": loader_user.pk,
                },
                now,
            ),
        )
    loader.flush([Clue])
    print(
        f"组织：{len(every)} 个纪委监委（{args.provinces} 省、{len(levels['city'])} 市、{len(levels['county'])} 县）",
        flush=True,
    )

    order = [Subject, Case, ApprovalRequest, PersonDecision, CaseFacts, CaseFactKey]
    start = date(2025, 1, 1)
    samples: list[dict[str, Any]] = []
    counties = levels["county"]
    batch = 50_000
    t0 = time.perf_counter()
    for n in range(args.decided):
        c = counties[n % len(counties)]
        category = pick(rng, CATEGORIES)
        pool = ARTICLES[category]
        articles = sorted(rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2)))))
        amount = None if rng.random() < 0.33 else Decimal(str(round(math.exp(rng.gauss(math.log(20000), 1.2)), 2)))
        rank = pick(rng, RANKS)
        circumstances = sorted(rng.sample(CIRCUMSTANCES, k=rng.choice((0, 1, 1, 2))))
        form = pick(rng, FORM_WEIGHTS)
        codes = rng.choice(DECISIONS[form])
        months = 24 if "party_probation" in codes and rng.random() < 0.3 else None
        decided_on = start + timedelta(days=rng.randrange(365))
        subject_id, case_id = loader.new_id(Subject), loader.new_id(Case)
        approval_id, decision_id, facts_id = (
            loader.new_id(ApprovalRequest),
            loader.new_id(PersonDecision),
            loader.new_id(CaseFacts),
        )
        loader.add(
            Subject,
            _fill(
                Subject,
                {
                    "id": subject_id,
                    "commission_id": c,
                    "name": f"基准{case_id}",
                    "name_index": f"b{case_id}",
                    "rank": rank,
                    "is_village_cadre": rank == "village",
                    "created_by_id": loader_user.pk,
                },
                now,
            ),
        )
        loader.add(
            Case,
            _fill(
                Case,
                {
                    "id": case_id,
                    "commission_id": c,
                    "clue_id": clue_of[c],
                    "subject_id": subject_id,
                    "case_year": 2025,
                    "case_seq": case_id,
                    "case_number": f"基准立〔2025〕{case_id}号",
                    "filed_on": decided_on - timedelta(days=90),
                    "competent_body_kind": "commission",
                    "competent_body_name": "纪委监委",
                    "filing_reference": "基准",
                    "state": "decided",
                    "state_changed_at": now,
                    "opened_by_id": loader_user.pk,
                },
                now,
            ),
        )
        loader.add(
            ApprovalRequest,
            _fill(
                ApprovalRequest,
                {
                    "id": approval_id,
                    "commission_id": c,
                    "matter_type": "case.sanction",
                    "chain_id": chain.pk,
                    "chain_version": 1,
                    "chain_name": "处理决定审批",
                    "mode": "sequential",
                    "steps": [],
                    "requester_id": loader_user.pk,
                    "requester_unit_id": unit_of[c],
                    "title": "处理决定",
                    "reason": "基准",
                    "state": "approved",
                    "submitted_at": now,
                    "decided_at": now,
                },
                now,
            ),
        )
        computed = form_of(codes)
        loader.add(
            PersonDecision,
            _fill(
                PersonDecision,
                {
                    "id": decision_id,
                    "case_id": case_id,
                    "subject_id": subject_id,
                    "codes": codes,
                    "body": "county",
                    "months": months,
                    "form": int(computed) if computed else None,
                    "grounds": "基准",
                    "approval_id": approval_id,
                    "state": "approved",
                    "decided_on": decided_on,
                    "periods": [],
                    "proposed_by_id": loader_user.pk,
                },
                now,
            ),
        )
        loader.add(
            CaseFacts,
            _fill(
                CaseFacts,
                {
                    "id": facts_id,
                    "case_id": case_id,
                    "commission_id": c,
                    "category": category,
                    "rank": rank,
                    "articles": articles,
                    "amount": amount,
                    "circumstances": circumstances,
                    "recorded_by_id": loader_user.pk,
                },
                now,
            ),
        )
        for key in [f"c:{category}", *(f"a:{a}" for a in articles)]:
            loader.add(
                CaseFactKey,
                {
                    "id": loader.new_id(CaseFactKey),
                    "facts_id": facts_id,
                    "commission_id": c,
                    "key": key,
                    "decided_on": decided_on,
                },
            )
        if rng.random() < 0.01:
            samples.append(
                {
                    "county": c,
                    "city": parents[c],
                    "province": parents[parents[c]],
                    "case_id": case_id,
                    "category": category,
                    "rank": rank,
                    "articles": tuple(articles),
                    "amount": amount,
                    "circumstances": frozenset(circumstances),
                    "codes": tuple(codes),
                    "months": months,
                    "form": int(computed) if computed else None,
                }
            )
        if (n + 1) % batch == 0 or n + 1 == args.decided:
            print(f"载入 {n + 1:,} 件已决案件（{time.perf_counter() - t0:.0f} s）", flush=True)
            loader.flush(order)
    return levels, actors, samples


def main() -> None:
    args = parse_args()
    setup_django("similar", wipe=args.wipe)
    from django.db import connection

    from xiezuoqu.cases.models import PersonDecision
    from xiezuoqu.precedents import similar

    if PersonDecision.objects.exists():
        sys.exit("该数据库已有处理决定；基准测试只在空库上运行（或加 --wipe 清空整个数据库）。")
    print(
        f"数据库：{connection.vendor} {connection.settings_dict.get('NAME')}；已决案件 {args.decided:,} 件", flush=True
    )
    t0 = time.perf_counter()
    _levels, actors, samples = build(args)
    print(f"载入合计 {time.perf_counter() - t0:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    rng = random.Random(7)
    drafts: list[tuple[str, Any, Any]] = []
    for i in range(args.drafts):
        scope = "county" if i % 20 < 15 else "city" if i % 20 < 19 else "province"
        s = rng.choice(samples)
        features = similar.Features(
            s["category"], s["rank"], s["articles"], s["amount"], s["circumstances"], s["codes"], s["months"], s["form"]
        )
        draft = similar.Draft(s["case_id"], s[scope], features)
        drafts.append((scope, actors[s[scope]], draft))

    def raw_candidates(draft: Any) -> None:
        """The two candidate statements (the key index, then the facts and decisions) through a bare cursor."""
        ids = similar.commission_and_below(draft.commission_id)
        sql, params = similar.candidate_key_query(draft, ids).query.sql_with_params()
        with connection.cursor() as cursor:
            t = time.perf_counter()
            cursor.execute(sql, params)
            fact_ids = [row[0] for row in cursor.fetchall()]
            elapsed = time.perf_counter() - t
            if fact_ids:
                sql, params = similar.candidate_query(draft, fact_ids).query.sql_with_params()
                t = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                elapsed += time.perf_counter() - t
            raw_ms.append(elapsed * 1000)

    for _, actor, draft in drafts[:10]:  # warm the caches
        similar.guidance(actor, draft)
    lookup: dict[str, list[float]] = defaultdict(list)
    raws: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for scope, actor, draft in drafts:
        t = time.perf_counter()
        result = similar.guidance(actor, draft)
        lookup[scope].append((time.perf_counter() - t) * 1000)
        sizes[scope].append((result.candidates, result.similar))
        raw_ms: list[float] = []
        raw_candidates(draft)
        raws[scope].append(raw_ms[0])
    print(f"\n{len(drafts)} 个拟处理意见的类案查找（similar.guidance；不含审计写入）：")
    every: list[float] = []
    every_raw: list[float] = []
    for scope in ("county", "city", "province", "all"):
        ms = every if scope == "all" else lookup[scope]
        raw = every_raw if scope == "all" else raws[scope]
        if scope != "all":
            every += ms
            every_raw += raw
        if not ms:
            continue
        label = {"county": "县级审理室", "city": "市级审理室", "province": "省级审理室", "all": "合计"}[scope]
        pool = [c for sc in (sizes.values() if scope == "all" else [sizes[scope]]) for c, _ in sc]
        print(
            f"{label:<8} n={len(ms):3d}  p50 {percentile(ms, 50):7.2f} ms  p95 {percentile(ms, 95):7.2f} ms  "
            f"max {max(ms):7.2f} ms   候选查询原始 SQL p50 {percentile(raw, 50):7.2f} ms "
            f"p95 {percentile(raw, 95):7.2f} ms"
            f"（p50 {percentile(ms, 50) / max(percentile(raw, 50), 1e-6):.1f}×，p95 "
            f"{percentile(ms, 95) / max(percentile(raw, 95), 1e-6):.1f}×）  候选 p50 {int(percentile(pool, 50))} 件"
        )
    if connection.vendor == "postgresql":
        scope, actor, draft = next(d for d in drafts if d[0] == "province")
        key_query = similar.candidate_key_query(draft, similar.commission_and_below(draft.commission_id))
        fact_ids = list(key_query)
        for title, qs in (
            ("一（检索键）", key_query),
            ("二（案情要素与处理决定）", similar.candidate_query(draft, fact_ids)),
        ):
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print(f"\n省级拟处理意见的候选查询{title} EXPLAIN ANALYZE：")
                for (line,) in cursor.fetchall():
                    print("  " + line)


if __name__ == "__main__":
    main()
