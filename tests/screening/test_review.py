"""Findings of the review of 大数据监督: a hit holds the rows of one township only and a clue made from it
only the rows its maker may read; a cadre neither reads nor decides a hit that names himself or a relative
he declared; the declared relationship is named only to a reader of the declaration."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from django.test import Client
from openpyxl import Workbook

from tests.intake.conftest import api_token, demo_actor, login
from tests.screening.test_import import HEADER, as_csv, person_id, row
from xiezuoqu.accounts.models import User
from xiezuoqu.clues.models import Clue
from xiezuoqu.errors import NotFound, ValidationFailed
from xiezuoqu.org.models import DeclaredRelationship, Unit
from xiezuoqu.org.selectors import can_view_relationship
from xiezuoqu.screening import selectors, services
from xiezuoqu.screening.imports import REFERENCE_COLUMNS
from xiezuoqu.screening.models import Hit, HitRow, ImportBatch, Payment, RuleCode, ScreeningRule

pytestmark = pytest.mark.django_db


def township(short: str) -> Unit:
    return Unit.objects.get(commission__is_demo=True, kind=Unit.Kind.TOWNSHIP_COMMITTEE, name__startswith=short)


def imported(rows: list[list[str]], name: str = "惠农.csv") -> None:
    services.import_payments(actor=demo_actor("anguan"), kind="farm_subsidy", file_name=name, data=as_csv(rows))


def test_a_duplicate_across_two_townships_makes_one_hit_per_township_never_a_mixed_one(demo):
    twice_here = [row(paid_on="2026-03-05"), row(paid_on="2026-04-05")]
    once_there = [row(township="边门镇", village="边门村", paid_on="2026-05-05")]
    imported(twice_here + once_there)
    hits = list(Hit.objects.filter(rule__code=RuleCode.DUPLICATE_PAYEE))
    assert len(hits) == 1
    (hit,) = hits
    places = set(Payment.objects.filter(hits=hit).values_list("township_id", flat=True))
    assert places == {hit.township_id} == {township("宝山").pk}
    assert hit.row_count == 2 and "2026-05-05" not in hit.explanation


def test_payments_after_death_in_two_townships_are_two_hits(demo):
    imported([row(paid_on="2026-03-05"), row(township="边门镇", village="边门村", paid_on="2026-04-05", item="x")])
    header = [c.header for c in REFERENCE_COLUMNS]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, ["赵德才", person_id(1), "死亡", "2026-01-10", ""]])
    services.import_reference_list(
        actor=demo_actor("anguan"), file_name="名单.csv", data=out.getvalue().encode("utf-8-sig")
    )
    hits = list(Hit.objects.filter(rule__code=RuleCode.DECEASED_OR_MOVED))
    assert sorted(h.township_id for h in hits) == sorted([township("宝山").pk, township("边门").pk])
    for hit in hits:
        assert set(Payment.objects.filter(hits=hit).values_list("township_id", flat=True)) == {hit.township_id}


def test_a_clue_made_from_a_hit_holds_only_the_rows_its_maker_may_read(demo):
    imported([row(paid_on="2026-03-05", voucher="V-HERE"), row(paid_on="2026-04-05", voucher="V-HERE2")])
    imported([row(township="边门镇", village="边门村", paid_on="2026-05-05", voucher="V-THERE")], name="b.csv")
    hit = Hit.objects.get(rule__code=RuleCode.DUPLICATE_PAYEE)
    foreign = Payment.objects.get(voucher="V-THERE")
    HitRow.objects.create(hit=hit, payment=foreign)  # a hit as an older rule run made it, across townships
    actor = demo_actor("zuzhang1")
    assert not selectors.can_view_payment(actor, foreign)
    services.refer_hit(actor=actor, hit_id=hit.pk)
    hit.refresh_from_db()
    content = Clue.objects.get(pk=hit.clue_id).content
    assert "V-HERE" in content and "V-THERE" not in content and "2026-05-05" not in content


def _spouse_of(username: str, person: str = "钱玉兰") -> DeclaredRelationship:
    staff_id = demo_actor(username).staff_id
    assert staff_id is not None
    return DeclaredRelationship.objects.create(
        staff_id=staff_id,
        kind=DeclaredRelationship.Kind.KIN,
        kinship=DeclaredRelationship.Kinship.SPOUSE,
        person_name=person,
        related_unit=township("宝山"),
        declared_on=date(2025, 1, 1),
    )


def test_a_cadre_neither_reads_nor_decides_a_hit_on_his_own_relative(demo):
    relationship = _spouse_of("zuzhang1")
    imported([row(payee_name="钱玉兰", paid_on="2026-03-05")])
    hit = Hit.objects.get(rule__code=RuleCode.CADRE_RELATIVE)
    assert hit.staff_id == relationship.staff_id and hit.relationship_id == relationship.pk
    himself = demo_actor("zuzhang1")
    assert not selectors.hits_visible_to(himself).filter(pk=hit.pk).exists()
    assert not selectors.can_view_hit(himself, hit) and not selectors.may_act_on(himself, hit)
    with pytest.raises(NotFound):
        services.dismiss_hit(actor=himself, hit_id=hit.pk, reason="经核实为同名不同人")
    with pytest.raises(NotFound):
        services.refer_hit(actor=himself, hit_id=hit.pk)
    deputy = demo_actor("fuzuzhang1")  # the rest of his zone still works it
    assert selectors.can_view_hit(deputy, hit) and selectors.may_act_on(deputy, hit)
    assert selectors.hits_visible_to(deputy).filter(pk=hit.pk).exists()


def test_the_declared_relationship_is_named_only_to_a_reader_of_the_declaration(demo, client):
    relationship = _spouse_of("zuzhang1")
    imported([row(payee_name="钱玉兰", paid_on="2026-03-05")])
    hit = Hit.objects.get(rule__code=RuleCode.CADRE_RELATIVE)
    assert "配偶" not in hit.explanation and "配偶" in hit.relation_note
    seen = {}
    for username in ("shuji", "anguan", "fuzuzhang1", "paizhu1"):
        actor = demo_actor(username)
        if not selectors.can_view_hit(actor, hit):
            continue
        may = can_view_relationship(actor, relationship)
        found = selectors.get_hit_for(actor, hit.pk)
        listed = next(h for h in selectors.hit_list(actor) if h.pk == hit.pk)
        for text in (selectors.explanation_for(actor, found), selectors.explanation_for(actor, listed)):
            assert ("配偶" in text) is may, username
        page = login(client, username).get(f"/screening/hits/{hit.pk}/").content.decode()
        assert ("配偶" in page) is may, username
        seen[username] = may
    assert True in seen.values() and False in seen.values(), seen


def test_the_screening_page_writes_nothing_and_still_shows_every_rule(demo, client):
    Hit.objects.all().delete()
    ScreeningRule.objects.all().delete()  # a commission that has never screened: no rule row yet
    page = login(client, "anguan").get("/screening/")
    assert page.status_code == 200
    assert not ScreeningRule.objects.exists()  # the page showed the defaults and saved nothing
    for code in RuleCode:
        assert code.label in page.content.decode()


def _damaged_xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(row())
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]
            target.writestr(info, body)
    return damaged.getvalue()


def test_a_damaged_sheet_or_an_oversized_csv_field_is_refused_in_chinese(demo):
    huge = as_csv([row(payer="甲" * 140_000)])
    for name, data in (("坏.xlsx", _damaged_xlsx()), ("长.csv", huge)):
        with pytest.raises(ValidationFailed) as refused:
            services.import_payments(actor=demo_actor("anguan"), kind="farm_subsidy", file_name=name, data=data)
        assert "无法" in refused.value.message or "损坏" in refused.value.message, name
    assert not ImportBatch.objects.exists()


def test_api_filters_refuse_an_id_past_bigint_with_problem_json(demo):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(User.objects.get(username='anguan'))}")
    for key in ("township_id", "batch_id", "before_id"):
        answer = client.get(f"/api/v1/screening/hits?{key}=99999999999999999999")
        assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json", key
