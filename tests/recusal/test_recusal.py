"""Recusal: self-withdrawal, demands the commission head decides, overrides on record, the register.

A recused person loses the matter everywhere at once: ledgers, pages, API, exports, its reports.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.clues.conftest import api_token, login
from tests.intake.conftest import demo_actor
from tests.recusal.conftest import SUBJECT, baoshan_clue, declare, staff_of, team_of
from xiezuoqu.approvals.services import decide
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues.models import ClueReport
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.intake.selectors import can_view_report, reports_visible_to
from xiezuoqu.org.models import DeclaredRelationship as DR
from xiezuoqu.recusal import services
from xiezuoqu.recusal.conflicts import conflicts_for
from xiezuoqu.recusal.models import DemandBy, DemandState, Ground, OverrideState, Recusal
from xiezuoqu.teams.models import TeamMember

pytestmark = pytest.mark.django_db


def _demand(clue, username="xzshuji", target="zuzhang1"):
    return services.record_demand(
        actor=demo_actor(username),
        clue_id=clue.pk,
        data=services.DemandInput(
            staff_id=staff_of(target).pk, demanded_by=DemandBy.SUBJECT, ground=Ground.INTEREST, statement="曾有经济往来"
        ),
    )


def test_a_recused_cadre_loses_the_clue_and_its_reports_at_once_on_every_path(demo, client: Client):
    clue = baoshan_clue()
    report_id = ClueReport.objects.get(clue=clue).report_id
    actor = demo_actor("zuzhang1")
    assert can_view_clue(actor, clue) and clues_visible_to(actor).filter(pk=clue.pk).exists()

    services.withdraw_self(actor=actor, clue_id=clue.pk, ground=Ground.INTEREST, detail="与被反映人系同学")

    actor = demo_actor("zuzhang1")
    assert not can_view_clue(actor, clue)
    assert not clues_visible_to(actor).filter(pk=clue.pk).exists()
    report = ClueReport.objects.get(clue=clue).report
    assert not can_view_report(actor, report)
    assert not reports_visible_to(actor).filter(pk=report_id).exists()
    login(client, "zuzhang1")
    assert client.get(f"/clues/{clue.pk}/").status_code == 404
    assert client.get(f"/intake/{report_id}/").status_code == 404
    assert client.get(f"/recusal/clue/{clue.pk}/").status_code == 404
    assert f'href="/clues/{clue.pk}/"' not in client.get("/clues/").content.decode()
    assert f'href="/intake/{report_id}/"' not in client.get("/intake/").content.decode()
    assert clue.ledger_number not in _xlsx_text(client.get("/clues/export.xlsx").content)
    token = api_token(demo.user("zuzhang1"))
    assert client.get(f"/api/v1/clues/{clue.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    listed = client.get("/api/v1/clues/?limit=100", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert clue.pk not in [item["id"] for item in listed["items"]]
    # Others still see it, on the same pages.
    assert can_view_clue(demo_actor("xzshuji"), clue)
    login(client, "xzshuji")
    assert f'href="/clues/{clue.pk}/"' in client.get("/clues/").content.decode()
    assert clue.ledger_number in _xlsx_text(client.get("/clues/export.xlsx").content)


def _xlsx_text(content: bytes) -> str:
    """Every cell of an exported workbook, as one text."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    )


def test_withdrawing_is_audited_and_cannot_be_done_twice(demo):
    clue = baoshan_clue()
    services.withdraw_self(actor=demo_actor("fuzuzhang1"), clue_id=clue.pk, ground=Ground.WITNESS, detail="系证人")
    assert AuditEvent.objects.filter(action="recusal.recorded").exists()
    with pytest.raises(NotFound):  # the recused person cannot even reach the matter any more
        services.withdraw_self(actor=demo_actor("fuzuzhang1"), clue_id=clue.pk, ground=Ground.WITNESS, detail="再次")


def test_only_the_commission_head_decides_a_demand_and_a_grant_takes_the_person_off_the_team(demo):
    clue = baoshan_clue()
    team = team_of(clue, "jianchashi1", "zuzhang1")
    demand = _demand(clue)
    with pytest.raises(NotPermitted, match="纪委书记"):
        services.decide_demand(actor=demo_actor("fenguan"), demand_id=demand.pk, grant=True, reason="同意")
    services.decide_demand(actor=demo_actor("shuji"), demand_id=demand.pk, grant=True, reason="存在利害关系，决定回避")
    demand.refresh_from_db()
    assert demand.state == DemandState.GRANTED
    recusal = Recusal.objects.get(clue=clue, staff=staff_of("zuzhang1"))
    assert recusal.is_active and recusal.source == "demand"
    seat = TeamMember.objects.get(team=team, staff=staff_of("zuzhang1"))
    assert seat.left_on == timezone.localdate() and seat.leave_reason == "回避"
    assert not can_view_clue(demo_actor("zuzhang1"), clue)
    with pytest.raises(Exception, match="已决定回避"):
        services.decide_demand(actor=demo_actor("shuji"), demand_id=demand.pk, grant=False, reason="再议")


def test_a_refused_demand_leaves_access_and_a_lifted_recusal_restores_it(demo):
    clue = baoshan_clue()
    demand = _demand(clue, target="jianchashi1")
    services.decide_demand(actor=demo_actor("shuji"), demand_id=demand.pk, grant=False, reason="理由不成立")
    assert can_view_clue(demo_actor("jianchashi1"), clue)
    recusal = services.recuse_by_decision(
        actor=demo_actor("shuji"),
        clue_id=clue.pk,
        staff_id=staff_of("jianchashi1").pk,
        ground=Ground.OTHER,
        detail="组织决定",
    )
    assert not can_view_clue(demo_actor("jianchashi1"), clue)
    with pytest.raises(NotPermitted):
        services.lift_recusal(actor=demo_actor("zuzhang1"), recusal_id=recusal.pk, reason="误判")
    services.lift_recusal(actor=demo_actor("shuji"), recusal_id=recusal.pk, reason="经核实不存在利害关系")
    assert can_view_clue(demo_actor("jianchashi1"), clue)
    assert AuditEvent.objects.filter(action="recusal.lifted").exists()


def test_a_demand_about_the_commission_head_goes_to_the_higher_level(demo):
    clue = baoshan_clue()
    demand = _demand(clue, target="shuji")
    with pytest.raises(NotPermitted, match="上一级"):
        services.decide_demand(actor=demo_actor("shuji"), demand_id=demand.pk, grant=False, reason="本人决定")


def test_a_demand_needs_a_reason_and_a_pending_demand_is_not_recorded_twice(demo):
    clue = baoshan_clue()
    with pytest.raises(ValidationFailed):
        services.record_demand(
            actor=demo_actor("xzshuji"),
            clue_id=clue.pk,
            data=services.DemandInput(
                staff_id=staff_of("zuzhang1").pk, demanded_by=DemandBy.REPORTER, ground="x", statement=""
            ),
        )
    _demand(clue)
    with pytest.raises(RuleViolation, match="尚待决定"):
        _demand(clue)


def test_an_override_needs_a_real_conflict_and_the_heads_approval_and_stays_on_record(demo):
    clue = baoshan_clue()
    cadre = staff_of("xzshuji2")
    with pytest.raises(RuleViolation, match="未发现"):
        services.request_override(
            actor=demo_actor("zuzhang1"),
            clue_id=clue.pk,
            staff_id=cadre.pk,
            ground=Ground.FORMER_COLLEAGUE,
            reason="需要",
        )
    declare(cadre, DR.Kind.FORMER_COLLEAGUE, person_name=SUBJECT)
    override = services.request_override(
        actor=demo_actor("zuzhang1"),
        clue_id=clue.pk,
        staff_id=cadre.pk,
        ground=Ground.FORMER_COLLEAGUE,
        reason="十年前短暂共事，无私交；该同志熟悉农村财务",
    )
    assert [step["role"] for step in override.approval.steps] == ["commission_head"]
    [conflict] = conflicts_for(clue, [cadre.pk])[cadre.pk]
    assert conflict.blocks("cross")
    decide(actor=demo_actor("shuji"), approval_id=override.approval_id, decision="approve", comment="同意")
    override.refresh_from_db()
    assert override.state == OverrideState.APPROVED
    [conflict] = conflicts_for(clue, [cadre.pk])[cadre.pk]
    assert conflict.overridden and not conflict.blocks("cross")
    assert AuditEvent.objects.filter(action="recusal.override_decided").exists()
    assert AuditEvent.objects.filter(action="recusal.override_requested").exists()


def test_a_team_member_signs_the_declaration_and_a_disclosure_becomes_a_demand(demo):
    clue = baoshan_clue()
    team_of(clue, "jianchashi1", "zuzhang1")
    with pytest.raises(RuleViolation, match="办案组"):
        services.sign_declaration(actor=demo_actor("fuzuzhang1"), clue_id=clue.pk, no_conflict=True)
    services.sign_declaration(actor=demo_actor("jianchashi1"), clue_id=clue.pk, no_conflict=True)
    with pytest.raises(RuleViolation, match="已签署"):
        services.sign_declaration(actor=demo_actor("jianchashi1"), clue_id=clue.pk, no_conflict=True)
    with pytest.raises(ValidationFailed):
        services.sign_declaration(actor=demo_actor("zuzhang1"), clue_id=clue.pk, no_conflict=False, disclosure="")
    services.sign_declaration(
        actor=demo_actor("zuzhang1"),
        clue_id=clue.pk,
        no_conflict=False,
        disclosure="与被反映人系远房表亲",
        ground=Ground.KIN_OF_SUBJECT,
    )
    demand = clue.recusal_demands.get()
    assert demand.demanded_by == DemandBy.SELF and demand.state == DemandState.PENDING


def test_every_intervention_is_registered_and_reading_the_register_is_audited(demo, client: Client):
    clue = baoshan_clue()
    services.record_intervention(
        actor=demo_actor("xzshuji"),
        clue_id=clue.pk,
        data=services.InterventionInput(
            kind="plea",
            channel="phone",
            occurred_at=timezone.now() - timedelta(hours=2),
            intervener_name="钱某",
            intervener_unit="某局副局长",
            content="打电话为被反映人说情",
            response="当场拒绝并告知将登记",
        ),
    )
    with pytest.raises(ValidationFailed):
        services.record_intervention(
            actor=demo_actor("xzshuji"),
            clue_id=clue.pk,
            data=services.InterventionInput(
                kind="plea",
                channel="phone",
                occurred_at=timezone.now() + timedelta(days=1),
                intervener_name="钱某",
                content="x",
            ),
        )
    login(client, "zuzhang1")
    page = client.get("/recusal/")
    assert "钱某" in page.content.decode()
    assert AuditEvent.objects.filter(action="intervention.register_viewed").exists()
    login(client, "xzshuji4")  # another zone's township: not theirs
    assert "钱某" not in client.get("/recusal/").content.decode()
    assert client.get(f"/recusal/clue/{clue.pk}/").status_code == 404


def test_the_matter_page_screens_the_zone_pool_and_acts_through_forms(demo, client: Client):
    clue = baoshan_clue()
    declare(staff_of("xzshuji2"), DR.Kind.KIN, kinship=DR.Kinship.SPOUSE, person_name=SUBJECT)
    login(client, "zuzhang1")
    page = client.get(f"/recusal/clue/{clue.pk}/").content.decode()
    assert "回避筛查" in page and "系被反映人近亲属" in page
    response = client.post(
        f"/recusal/clue/{clue.pk}/act/",
        {
            "action": "demand",
            "staff_id": staff_of("jianchashi2").pk,
            "demanded_by": "reporter",
            "ground": "interest",
            "statement": "",
        },
        follow=True,
    )
    assert "请填写申请理由" in response.content.decode()
    response = client.post(
        f"/recusal/clue/{clue.pk}/act/",
        {"action": "withdraw", "ground": "witness", "detail": "本人系证人"},
        follow=True,
    )
    assert response.status_code == 200 and "已登记本人回避" in response.content.decode()
    assert client.get(f"/recusal/clue/{clue.pk}/").status_code == 404


def test_the_api_records_a_demand_and_the_head_decides_it(demo, client: Client):
    clue = baoshan_clue()
    token = api_token(demo.user("xzshuji"))
    response = client.post(
        f"/api/v1/recusal/clues/{clue.pk}/demands",
        {"staff_id": staff_of("jianchashi1").pk, "demanded_by": "subject", "ground": "interest", "statement": "有矛盾"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    demand_id = response.json()["id"]
    refused = client.post(
        f"/api/v1/recusal/demands/{demand_id}/decision",
        {"grant": True, "reason": "同意"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 403 and refused["Content-Type"].startswith("application/problem+json")
    head = api_token(demo.user("shuji"))
    done = client.post(
        f"/api/v1/recusal/demands/{demand_id}/decision",
        {"grant": True, "reason": "同意回避"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {head}",
    )
    assert done.status_code == 200 and done.json()["state"] == "granted"
    outsider = api_token(demo.user("jianchashi1"))
    assert client.get(f"/api/v1/recusal/clues/{clue.pk}", HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code == 404
    matter = client.get(f"/api/v1/recusal/clues/{clue.pk}", HTTP_AUTHORIZATION=f"Bearer {head}").json()
    assert matter["recusals"][0]["staff_id"] == staff_of("jianchashi1").pk


def test_a_team_does_not_start_before_every_member_signed_and_a_paper_declaration_can_be_recorded(demo):
    from tests.verification.conftest import drafted, verifying_clue
    from xiezuoqu.verification import services as verification

    clue = verifying_clue()
    team_of(clue, "jianchashi1", "fuzuzhang1")
    draft = drafted(clue)
    with pytest.raises(RuleViolation, match="尚未签署回避声明"):
        verification.submit_plan(actor=demo_actor("jianchashi1"), verification_id=draft.pk)
    services.sign_declaration(actor=demo_actor("jianchashi1"), clue_id=clue.pk, no_conflict=True)
    with pytest.raises(NotFound):  # the petition office does not work clues: it cannot even reach it
        services.record_paper_declaration(
            actor=demo_actor("xinfang"), clue_id=clue.pk, staff_id=staff_of("fuzuzhang1").pk, no_conflict=True
        )
    declaration = services.record_paper_declaration(
        actor=demo_actor("zuzhang1"), clue_id=clue.pk, staff_id=staff_of("fuzuzhang1").pk, no_conflict=True
    )
    assert declaration.on_paper and declaration.signed_by == demo.user("zuzhang1")
    verification.submit_plan(actor=demo_actor("jianchashi1"), verification_id=draft.pk)


def test_the_page_and_the_api_record_a_paper_declaration(demo, client: Client):
    clue = baoshan_clue()
    team_of(clue, "jianchashi1", "fuzuzhang1")
    login(client, "zuzhang1")
    response = client.post(
        f"/recusal/clue/{clue.pk}/act/",
        {"action": "paper", "staff_id": staff_of("jianchashi1").pk, "no_conflict": "yes"},
        follow=True,
    )
    assert "已登记纸质回避声明" in response.content.decode() and "纸质" in response.content.decode()
    token = api_token(demo.user("zuzhang1"))
    created = client.post(
        f"/api/v1/recusal/clues/{clue.pk}/paper-declarations",
        {
            "staff_id": staff_of("fuzuzhang1").pk,
            "no_conflict": False,
            "disclosure": "与被反映人系同村",
            "ground": "same_village",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert created.status_code == 201
    assert clue.recusal_demands.get().staff == staff_of("fuzuzhang1")
