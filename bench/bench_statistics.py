#!/usr/bin/env python
"""Benchmark the statistics cockpit: the zone × month 成案率 table of a commission's year, at scale.

    .venv/bin/python bench/bench_statistics.py                              # county scale, throwaway SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_statistics.py \\
        --scale province --wipe

The data are bench_summary's (imported: the same organisation and row generator, 100 commissions × 4
zones × 5 townships at province scale, two years ending 2025). Timed, for the 案管 officer of the middle
commission and for one zone's leader, on the year 2025 with 2024 as the year before:

1. the month table alone — ``statistics.figures.monthly_rows`` (two GROUP BY queries) shaped into the
   zone × month rows with their drill links (``month_table`` + ``present.month_rows``), next to the raw
   SQL of its two queries (the ratio is the ORM, shaping and link-building overhead);
2. the whole /statistics/ page through the test client (session, menu, the period queries, the
   table, the charts' data, the template), for the year — next to the raw SQL of every statement the page
   sent (captured with an execute wrapper and replayed through a bare cursor; the ratio is the view's and
   the template's own cost), with the page's three slowest statements;
3. the EXPLAIN of each of the table's two queries.
Prints p50/p95/max and the number of queries; timing never decides anything.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import bench_summary as base
from _env import setup_django

YEAR = base.YEAR


def main() -> None:
    args = base.parse_args()
    scale_base = base.SCALES[args.scale]
    scale = base.Scale(
        args.commissions or scale_base.commissions,
        scale_base.reports,
        scale_base.clues,
        scale_base.cases,
        args.years or scale_base.years,
    )
    setup_django("statistics", wipe=args.wipe)
    from django.db import connection

    from xiezuoqu.intake.models import Report

    if Report.objects.exists():
        sys.exit("该数据库已有检举控告件；基准测试只在空库上运行（或加 --wipe 清空整个数据库）。")
    print(
        f"数据库：{connection.vendor} {connection.settings_dict.get('NAME')}；规模 {args.scale}："
        f"{scale.commissions} 个纪委监委 × 4 个协作区 × 5 个乡镇，每委每年 {scale.reports} 件检举控告、"
        f"{scale.clues} 件线索、约 {scale.cases} 件立案，{scale.years} 年（至 {YEAR} 年）",
        flush=True,
    )
    t0 = time.perf_counter()
    world, loader = base.build_org(scale.commissions)
    county = world[len(world) // 2]
    generator, _elapsed = base.load(world, loader, scale, timed_zone=county.zones[0])
    total = sum(generator.counts.values())
    print(f"写入 {total:,} 行（含组织机构 {time.perf_counter() - t0:.0f} s）：", flush=True)
    for _key, label in base.ORDER:
        print(f"  {label:<28} {generator.counts[label]:>12,}", flush=True)
    if not args.no_analyze:
        print(f"ANALYZE：{base.analyze():.1f} s", flush=True)
    bench_table(county, args.samples)


def bench_table(county: base.County, samples: int) -> None:
    from django.db import connection
    from django.test import Client

    from xiezuoqu.accounts.models import User
    from xiezuoqu.accounts.roles import Role
    from xiezuoqu.statistics import figures, present

    manager = base.make_actor("s_case_manager", county, county.case_manager, Role.CASE_MANAGER, county.case_office_id)
    leader = base.make_actor("s_zone_leader", county, county.leaders[0], Role.ZONE_LEADER, county.leadership_id)
    for title, actor, username in (
        ("案管（全委 4 个协作区）", manager, "s_case_manager"),
        ("协作区组长", leader, "s_zone_leader"),
    ):
        reach = figures.reach_of(actor)
        level = reach.default()
        if level.kind == "commission":
            levels = [level, *reach.zones]
        else:
            levels = [level, *(t for t in reach.townships if t.zone_id == level.id)]

        def table(actor: Any = actor, levels: list[Any] = levels) -> list[dict[str, Any]]:
            rows = figures.monthly_rows(actor, YEAR)
            return present.month_rows(figures.month_table(rows, levels, YEAR), YEAR)

        shown = table()
        head = shown[0]
        print(
            f"\n— {title}：{YEAR} 年成案率月表，{len(shown)} 行 × 12 个月（及 {YEAR - 1} 年同期）—\n"
            f"  {head['level'].name}：全年成案率 {head['year_rate']}"
            f"（立案 {head['cases']} ÷ 初核 {head['verified']}），"
            f"{YEAR - 1} 年 {head['last_year_rate']}；1 月 {head['cells'][0]['rate_text']}，"
            f"12 月 {head['cells'][11]['rate_text']}",
            flush=True,
        )
        statements = [qs.query.sql_with_params() for qs in figures.monthly_querysets(actor, YEAR)]

        def raw(statements: list[tuple[str, Any]] = statements) -> None:
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        raw_ms = base.timed(samples, raw)
        base.report("月表（查询＋整理＋链接）", base.timed(samples, table), base.count_queries(table), raw_ms, width=28)
        base.report("  其中原始 SQL（2 条）", raw_ms, len(statements), width=28)

        client = Client()
        client.force_login(User.objects.get(username=username))

        def page(client: Client = client) -> None:
            response = client.get("/statistics/", {"year": str(YEAR)})
            assert response.status_code == 200, response.status_code

        page_ms = base.timed(max(5, samples // 2), page)
        page_statements = page_queries(page)
        page_raw_ms = base.timed(max(5, samples // 2), lambda s=page_statements: replay(s))
        base.report("整页 /statistics/（一年）", page_ms, len(page_statements), page_raw_ms, width=28)
        base.report(f"  其中原始 SQL（{len(page_statements)} 条）", page_raw_ms, len(page_statements), width=28)
        slowest = sorted(page_statements, key=lambda s: -s[2])[:3]
        for sql, _params, ms in slowest:
            print(f"    {ms:7.2f} ms  {base.table_of(sql)}", flush=True)
        if title.startswith("案管"):
            for index, (sql, params) in enumerate(statements, start=1):
                base.print_plan(f"月表第 {index} 条查询的执行计划：", sql, params)


def page_queries(page: Any) -> list[tuple[str, Any, float]]:
    """Every statement one rendering of the page sends (session, user, menu, figures, table), in order,
    with its parameters and its time in that rendering."""
    from django.db import connection

    watch = base.QueryClock()
    watch.start_call()
    with connection.execute_wrapper(watch):
        page()
    return watch.calls[0]


def replay(statements: list[tuple[str, Any, float]]) -> None:
    """The page's statements again, through a bare cursor: the floor under the page's time."""
    from django.db import connection

    with connection.cursor() as cursor:
        for sql, params, _ms in statements:
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()


if __name__ == "__main__":
    main()
