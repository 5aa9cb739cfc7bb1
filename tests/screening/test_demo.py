"""The Fengcheng demo import: every planted anomaly is found by its rule, and no ordinary row by any rule
(precision and recall per rule are printed)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues.models import Source
from xiezuoqu.demo.screening import load_demo_screening
from xiezuoqu.screening.models import Hit, HitState, Payment, ReferenceEntry, RuleCode

pytestmark = pytest.mark.django_db


def test_the_demo_import_finds_every_planted_anomaly_and_no_ordinary_row(demo, capsys):  # type: ignore[no-untyped-def]
    planted = load_demo_screening()
    line_of = {
        p.pk: (label, p.line_no)
        for label, batch_id in planted.batches.items()
        for p in Payment.objects.filter(batch_id=batch_id)
    }
    hits: dict[str, list[set[tuple[str, int]]]] = {code: [] for code in RuleCode.values}
    for hit in Hit.objects.filter(commission__is_demo=True).select_related("rule").prefetch_related("hit_rows"):
        hits[hit.rule.code].append({line_of[r.payment_id] for r in hit.hit_rows.all()})
    flagged = set().union(*(rows for found in hits.values() for rows in found))
    lines = []
    for code in RuleCode.values:
        expected = [set(rows) for rows in planted.planted[code]]
        assert expected, f"{code}: nothing planted"
        found = [rows for rows in expected if any(rows <= hit for hit in hits[code])]
        true_hits = [hit for hit in hits[code] if any(hit & rows for rows in expected)]
        recall = len(found) / len(expected)
        precision = len(true_hits) / len(hits[code]) if hits[code] else 0.0
        lines.append(
            f"{code}: planted {len(expected)}, hits {len(hits[code])}, precision {precision:.2f}, recall {recall:.2f}"
        )
        assert recall == 1.0, f"{code}: a planted anomaly was not found"
        assert precision == 1.0, f"{code}: a hit names rows that were not planted"
    assert not flagged & set(planted.ordinary), "an ordinary row was flagged"
    with capsys.disabled():
        print("\n大数据监督演示导入：" + "；".join(lines))


def test_loading_the_demo_twice_imports_nothing_the_second_time(demo):  # type: ignore[no-untyped-def]
    first = load_demo_screening()
    assert first.created and first.rows == Payment.objects.count() and first.hits == Hit.objects.count()
    count = Payment.objects.count()
    hits = Hit.objects.count()
    events = AuditEvent.objects.count()
    second = load_demo_screening()
    assert first.batches == second.batches and not second.created
    assert (Payment.objects.count(), Hit.objects.count()) == (count, hits)
    assert AuditEvent.objects.count() == events  # nothing recorded either (not even the standard)


def test_the_demo_lies_in_the_demo_year_and_works_two_hits_as_a_zone_would(demo):  # type: ignore[no-untyped-def]
    demo_load = load_demo_screening()
    today = timezone.localdate()
    first_day = date(today.year, 1, 5)
    days = list(Payment.objects.values_list("paid_on", flat=True)) + list(
        ReferenceEntry.objects.values_list("since", flat=True)
    )
    assert days and all(first_day <= d <= today for d in days)
    assert (demo_load.clues, demo_load.dismissed) == (1, 1)
    referred = Hit.objects.get(state=HitState.CLUE)
    assert referred.rule.code == RuleCode.DECEASED_OR_MOVED and referred.clue is not None
    assert referred.clue.source == Source.BIG_DATA and referred.clue.handling_unit_id == referred.township_id
    assert AuditEvent.objects.filter(action="screening_hit.referred", target_id=str(referred.pk)).exists()
    dismissed = Hit.objects.get(state=HitState.DISMISSED)
    assert dismissed.rule.code == RuleCode.ROUND_CLUSTER and dismissed.dismissal_reason
    assert Hit.objects.filter(state=HitState.OPEN).count() == Hit.objects.count() - 2
