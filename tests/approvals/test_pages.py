"""The approval pages: the inbox, a request's page with its buttons, and chain configuration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.approvals.conftest import ZONE_THEN_COMMISSION, actor_of, configure, submit
from xiezuoqu.approvals import services
from xiezuoqu.approvals.matters import DEFAULT_CHAINS
from xiezuoqu.approvals.models import ApprovalChain
from xiezuoqu.approvals.workflow import Decision, Mode, State
from xiezuoqu.audit.models import AuditEvent

A = Decision.APPROVE


@pytest.fixture
def disposal(world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    return submit(world, title="关于张某某问题线索拟初核的请示")


def _page(client, user, url, **kw):
    client.force_login(user)
    return client.get(url, **kw)


def test_the_inbox_needs_a_login(client, world):
    response = client.get(reverse("approvals:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_inbox_shows_what_waits_for_me(client, world, disposal):
    response = _page(client, world.zone_leader1, reverse("approvals:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "待我审批（1）" in html and disposal.title in html and "协作区组长审批" in html
    # The commission leader's step is not reached yet: nothing waits for them.
    html = _page(client, world.leader_a, reverse("approvals:inbox")).content.decode()
    assert "待我审批（0）" in html and "目前没有等待您审批的申请" in html


def test_the_inbox_tabs_mine_and_decided(client, world, disposal):
    html = _page(client, world.requester, reverse("approvals:inbox") + "?tab=mine").content.decode()
    assert disposal.title in html and "审批中" in html
    services.decide(actor=actor_of(world.zone_leader1), approval_id=disposal.pk, decision=A)
    html = _page(client, world.zone_leader1, reverse("approvals:inbox") + "?tab=decided").content.decode()
    assert disposal.title in html
    html = _page(client, world.zone_leader1, reverse("approvals:inbox") + "?tab=to_decide").content.decode()
    assert disposal.title not in html
    # Oversight: the commission head finds every request of the commission under 全部可见.
    html = _page(client, world.head, reverse("approvals:inbox") + "?tab=all").content.decode()
    assert disposal.title in html
    html = _page(client, world.zone_leader2, reverse("approvals:inbox") + "?tab=all").content.decode()
    assert disposal.title not in html


def test_the_inbox_costs_the_same_queries_for_3_or_30_requests(client, world):
    """No N+1: the list page's query count does not grow with its rows."""
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    client.force_login(world.zone_leader1)
    url = reverse("approvals:inbox")
    client.get(url)  # the first request of a session writes its activity stamp; measure the steady state

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        submit(world, title=f"请示{n}")
    few = count()
    for n in range(27):
        submit(world, title=f"请示{n + 3}")
    assert count() == few
    assert few <= 12


def test_the_inbox_pages_by_50(client, world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    made = [submit(world, title=f"请示{n:02d}") for n in range(52)]
    html = _page(client, world.requester, reverse("approvals:inbox") + "?tab=mine").content.decode()
    assert "下一页" in html and "请示51" in html and "请示01" not in html
    before = made[2].pk  # the 50th newest
    html = client.get(reverse("approvals:inbox") + f"?tab=mine&before={before}").content.decode()
    assert "请示01" in html and "请示00" in html and "请示51" not in html and "下一页" not in html


def test_the_request_page_shows_steps_and_the_buttons_to_its_approver(client, world, disposal):
    response = _page(client, world.zone_leader1, reverse("approvals:detail", args=[disposal.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("协作区组长审批", "分管委领导审批", "待审批", "未到达", "同意", "退回修改", "不同意", disposal.reason):
        assert text in html
    assert f'name="round" value="{disposal.round}"' in html
    assert AuditEvent.objects.filter(action="approval.viewed", actor_id=world.zone_leader1.pk).exists()


def test_the_requester_sees_no_approve_button_but_may_withdraw(client, world, disposal):
    html = _page(client, world.requester, reverse("approvals:detail", args=[disposal.pk])).content.decode()
    assert 'value="approve"' not in html and "撤回申请" in html


def test_oversight_sees_without_buttons(client, world, disposal):
    html = _page(client, world.case_manager, reverse("approvals:detail", args=[disposal.pk])).content.decode()
    assert disposal.title in html and 'value="approve"' not in html and "撤回申请" not in html


@pytest.mark.parametrize("who", ["zone_leader2", "secretary2", "system_admin", "audit_admin", "outsider_leader"])
def test_actors_outside_the_scope_get_404(client, world, disposal, who):
    user = getattr(world, who)
    assert _page(client, user, reverse("approvals:detail", args=[disposal.pk])).status_code == 404
    response = client.post(reverse("approvals:decide", args=[disposal.pk]), {"decision": "approve"})
    assert response.status_code == 404
    disposal.refresh_from_db()
    assert disposal.state == State.PENDING
    assert _page(client, user, reverse("approvals:detail", args=[999999])).status_code == 404


def test_approving_on_the_page(client, world, disposal):
    client.force_login(world.zone_leader1)
    response = client.post(
        reverse("approvals:decide", args=[disposal.pk]),
        {"decision": "approve", "comment": "同意初核", "step_index": "0", "round": "1"},
        follow=True,
    )
    assert "已提交审批意见：同意" in response.content.decode()
    disposal.refresh_from_db()
    assert disposal.current_step == 1 and disposal.decisions.get().comment == "同意初核"


def test_returning_without_a_reason_is_refused_in_chinese(client, world, disposal):
    client.force_login(world.zone_leader1)
    response = client.post(
        reverse("approvals:decide", args=[disposal.pk]), {"decision": "return", "step_index": "0"}, follow=True
    )
    assert "退回修改或不同意时，须填写理由" in response.content.decode()
    disposal.refresh_from_db()
    assert disposal.state == State.PENDING
    response = client.post(
        reverse("approvals:decide", args=[disposal.pk]),
        {"decision": "return", "comment": "请补充线索来源", "step_index": "0"},
        follow=True,
    )
    assert "已提交审批意见：退回修改" in response.content.decode()
    disposal.refresh_from_db()
    assert disposal.state == State.RETURNED


def test_approving_ones_own_request_on_the_page_is_refused_and_recorded(client, world):
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[1:])
    approval = submit(world, "deadline.extension", user=world.leader_a)
    client.force_login(world.leader_a)
    response = client.post(reverse("approvals:decide", args=[approval.pk]), {"decision": "approve"}, follow=True)
    assert "不能审批本人提出的申请" in response.content.decode()
    assert AuditEvent.objects.filter(action="approval.decide", outcome="refused", actor_id=world.leader_a.pk).exists()


def test_a_stale_page_cannot_decide_a_step_someone_else_decided(client, world):
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[1:])
    approval = submit(world, "deadline.extension")
    services.decide(actor=actor_of(world.leader_b), approval_id=approval.pk, decision=A)
    client.force_login(world.leader_a)
    response = client.post(
        reverse("approvals:decide", args=[approval.pk]),
        {"decision": "reject", "comment": "不同意", "step_index": "0", "round": "1"},
        follow=True,
    )
    assert "当前状态为“已批准”" in response.content.decode()


def test_withdraw_and_resubmit_on_the_page(client, world, disposal):
    services.decide(actor=actor_of(world.zone_leader1), approval_id=disposal.pk, decision="return", comment="补充")
    html = _page(client, world.requester, reverse("approvals:detail", args=[disposal.pk])).content.decode()
    assert "修改后重新提交" in html and "补充" in html
    response = client.post(
        reverse("approvals:resubmit", args=[disposal.pk]),
        {"title": "修改后的请示", "reason": "已补充材料"},
        follow=True,
    )
    assert "进入新一轮审批" in response.content.decode()
    disposal.refresh_from_db()
    assert (disposal.state, disposal.round, disposal.title) == (State.PENDING, 2, "修改后的请示")
    response = client.post(reverse("approvals:withdraw", args=[disposal.pk]), {"reason": "不再需要"}, follow=True)
    assert "申请已撤回" in response.content.decode()
    disposal.refresh_from_db()
    assert disposal.state == State.WITHDRAWN


# --- chains ------------------------------------------------------------------------------------------


def test_the_chain_list_shows_configured_and_missing_chains(client, world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION, name="线索处置审批")
    html = _page(client, world.requester, reverse("approvals:chains")).content.decode()
    assert "线索处置审批" in html and "协作区组长审批" in html and "未配置" in html
    # A township cadre reads but does not configure.
    assert reverse("approvals:chain_edit", args=["clue.disposal"]) not in html
    html = _page(client, world.head, reverse("approvals:chains")).content.decode()
    assert reverse("approvals:chain_edit", args=["clue.disposal"]) in html and "使用默认审批链" in html


@pytest.mark.parametrize("who", ["audit_admin", "security_admin"])
def test_other_administrators_do_not_see_chains(client, world, who):
    assert _page(client, getattr(world, who), reverse("approvals:chains")).status_code == 404


def test_the_default_chains_button(client, world):
    client.force_login(world.head)
    response = client.post(reverse("approvals:chain_defaults"), follow=True)
    assert f"已按默认设置配置 {len(DEFAULT_CHAINS)} 条审批链" in response.content.decode()
    assert ApprovalChain.objects.filter(commission=world.commission, is_active=True).count() == len(DEFAULT_CHAINS)


def test_only_configurers_open_the_chain_form(client, world):
    assert _page(client, world.leader_a, reverse("approvals:chain_edit", args=["clue.disposal"])).status_code == 403
    assert _page(client, world.head, reverse("approvals:chain_edit", args=["no.such"])).status_code == 404
    html = _page(client, world.head, reverse("approvals:chain_edit", args=["clue.disposal"])).content.decode()
    assert "问题线索处置审批" in html and "approvals/chain_form.js" in html  # defaults prefilled


def test_saving_the_chain_form_creates_a_new_version(client, world):
    configure(world, "case.sanction", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[1:])
    client.force_login(world.head)
    response = client.post(
        reverse("approvals:chain_edit", args=["case.sanction"]),
        {
            "name": "处分决定审批",
            "mode": "sequential",
            "step_role": ["trial_staff", "commission_head", ""],
            "step_unit_rule": ["fixed_unit", "commission", ""],
            "step_fixed_unit": [str(world.trial_office.pk), "", ""],
            "step_label": ["审理室审核", "", ""],
        },
    )
    assert response.status_code == 302
    chain = ApprovalChain.objects.get(commission=world.commission, matter_type="case.sanction", is_active=True)
    assert chain.version == 2
    assert list(chain.steps.values_list("role", "fixed_unit_id", "label")) == [
        ("trial_staff", world.trial_office.pk, "审理室审核"),
        ("commission_head", None, "纪委书记、监委主任审批"),
    ]


def test_an_invalid_chain_form_shows_the_errors(client, world):
    client.force_login(world.head)
    response = client.post(
        reverse("approvals:chain_edit", args=["clue.disposal"]),
        {"name": "", "mode": "sequential", "step_role": ["commission_leader"], "step_unit_rule": ["requester_zone"]},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "审批链配置有误" in html and "请填写审批链名称" in html and "不在协作区任职" in html
    assert not ApprovalChain.objects.filter(commission=world.commission).exists()
