"""In a real browser (issue 16): the daily tasks of the cadres, done by clicking and filling the pages.

A letter is registered and appears in the ledger; 信访室 accepts it and assigns it; the township opens a
clue from it, the zone studies it at a 线索研判会 (a recorded vote), the township proposes 初步核实 and the
two approvers agree in their inbox; the zone leader has a team proposed, records the members' recusal
declarations and confirms it. A clue under 初步核实 gets its filing report drafted, voted at a 立案研究会
and decided by the township party committee. A village supervisor's home at a phone's width shows the
form and the problem just reported, with no horizontal overflow.

Every step asserts what the user sees (the message, the new row, the state label) and that the tab
met no script error, console error or 4xx/5xx response. Setup that is not the task under test (the
clue of the filing flow) goes through the services, as the other tests do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

# Importing the smoke module skips this one the same way when Playwright or Chromium is missing.
from tests.browser.test_smoke import CHROMIUM, Visit, playwright

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # as in test_smoke: the fixtures' ORM calls are synchronous
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


SUMMARY = "反映双山子村书记冒领耕地地力保护补贴"


def submit(page: Any, button: Any) -> None:
    """Click a form's button (or link) and wait for the page it leads to."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        button.click()


def form(page: Any, action: str) -> Any:
    return page.locator(f"main form:has(input[name=action][value={action}])")


def success(page: Any) -> str:
    return page.locator(".msg-success").inner_text()


def hold_meeting_and_vote(visit: Visit, kind: str, add_item: Any, resolution: str) -> str:
    """The zone leader convenes a meeting of ``kind``, puts the item on its agenda (``add_item``), records
    everyone present, opens it and records a unanimous vote; returns the item's text as shown."""
    page = visit.open("/meetings/convene/")
    convene = page.locator("main form")
    convene.locator("select[name=kind]").select_option(label=kind)
    when = timezone.localtime() + timedelta(hours=1)
    convene.locator("input[name=scheduled_at]").fill(when.strftime("%Y-%m-%dT%H:%M"))
    convene.locator("input[name=place]").fill("第一协作区会议室")
    submit(page, convene.locator("button"))
    assert success(page) == f"已安排第一协作区{kind}。"
    add_item(page)
    attendance = form(page, "attendance")
    for presence in attendance.locator("select[name^=presence_]").all():
        presence.select_option(label="出席")
    submit(page, attendance.locator("button:has-text('保存出席情况')"))
    submit(page, form(page, "hold").locator("button"))
    assert page.locator("h1 .tag").inner_text() == "已召开"
    vote = form(page, "decide")
    ballots = vote.locator("select[name^=vote_]").all()
    assert len(ballots) >= 3  # the zone leader and deputies vote
    for ballot in ballots:
        ballot.select_option(label="同意")
    vote.locator("textarea[name=text]").fill(resolution)
    submit(page, vote.locator("button:has-text('记录表决结果')"))
    item = page.locator("main .card:has(h3)").first.inner_text()
    assert "已表决" in item and f"同意 {len(ballots)}，不同意 0，弃权 0" in item, item
    assert resolution in item
    return item


def test_a_letter_is_registered_accepted_studied_at_a_meeting_approved_for_verification_and_teamed(
    demo, live_server, browser
):
    base = live_server.url
    # (a) The registrar registers a letter; the date is prefilled, and the report is in the ledger.
    registrar = Visit(browser, base, "dengji")
    page = registrar.open("/intake/register/")
    assert page.input_value("#id_received_on") == timezone.localdate().isoformat()
    page.select_option("#id_channel", label="来信")
    page.select_option("#id_category", label="惠农补贴")
    page.select_option("#id_township", label="宝山镇纪委")
    page.fill("#id_summary", SUMMARY)
    page.fill("#id_content", "来信反映：双山子村党支部书记以亲属名义虚报耕地面积，冒领耕地地力保护补贴。")
    page.fill("#id_accused-0-name", "赵某某")
    page.fill("#id_accused-0-position", "村党支部书记")
    submit(page, page.locator("button:has-text('登记并编号')"))
    message = success(page)
    assert message.startswith("已登记，台账编号 凤纪信〔"), message
    number = message.removeprefix("已登记，台账编号 ").split("。")[0]
    report_url = page.url.removeprefix(base)
    page = registrar.open("/intake/")
    row = page.locator("table tbody tr", has_text=number)
    assert row.count() == 1
    assert "来信" in row.inner_text() and "赵某某" in row.inner_text() and "已登记" in row.inner_text()
    assert registrar.problems == [], registrar.problems
    registrar.context.close()

    # (b) 信访室 accepts it and assigns it to 宝山镇纪委 in the same form.
    petition = Visit(browser, base, "xinfang")
    page = petition.open(report_url)
    accept = form(page, "accept")
    accept.locator("select[name=unit]").select_option(label="宝山镇纪委")
    accept.locator("textarea[name=reason]").fill("属本级受理范围，分办宝山镇纪委。")
    submit(page, accept.locator("button:has-text('受理')"))
    assert success(page) == "已受理。"
    assert page.locator("h1").inner_text().endswith("已分办")
    assert petition.problems == [], petition.problems
    petition.context.close()

    # The township opens a clue from the accepted report and confirms the accused as its subject.
    township = Visit(browser, base, "xzshuji")
    page = township.open("/clues/open/")
    opening = page.locator("main form")
    opening.locator("select[name=category]").select_option(label="惠农补贴")
    opening.locator("input[name=summary]").fill("双山子村书记冒领耕地地力保护补贴")
    opening.locator("label", has_text=number).locator("input[name=report_ids]").check()
    submit(page, opening.locator("button:has-text('登记')"))
    assert success(page).startswith("已登记线索 凤纪宝山线〔")
    clue_url = page.url.removeprefix(base)
    clue_id = int(clue_url.strip("/").split("/")[-1])
    clue_number = page.locator("h1").inner_text().split()[0]
    assert page.locator("h1 .tag").inner_text() == "已登记"
    submit(page, page.locator("button:has-text('登记为新的被反映人')"))
    assert "已确认为 赵某某" in page.locator("main").inner_text()

    # (d) The zone studies the clue at a 线索研判会: the recorded vote is the clue's collective 研判.
    leader = Visit(browser, base, "zuzhang1")

    def study_item(page: Any) -> None:
        adding = page.locator("main form.card:has(input[name=action][value=add_item])")
        adding.locator("select[name=kind]").select_option(label="线索研判")
        adding.locator("select[name=clue_id]").select_option(value=str(clue_id))
        submit(page, adding.locator("button:has-text('增加议题')"))
        assert clue_number in page.locator("main").inner_text()

    item = hold_meeting_and_vote(leader, "线索研判会", study_item, "问题具体，可查性强，建议初步核实。")
    assert clue_number in item
    page = township.open(clue_url)
    assert page.locator("h1 .tag").inner_text() == "分析研判中"
    assert "协作区线索研判会集体研判" in page.locator("main").inner_text()  # the analysis record

    # (b) The township proposes 初步核实; the zone leader and the commission leader agree in their inbox.
    proposal = form(page, "propose")
    proposal.locator("select[name=method]").select_option(label="初步核实")
    proposal.locator("textarea[name=reason]").fill("经协作区线索研判会研究，反映问题具体，可查性强，拟予初步核实。")
    submit(page, proposal.locator("button"))
    assert page.locator("h1 .tag").inner_text() == "处置意见报批中"
    commission_leader = Visit(browser, base, "fenguan")
    for approver in (leader, commission_leader):
        page = approver.open("/approvals/")
        submit(page, page.locator("main table a", has_text=f"{clue_number} 拟初步核实"))
        page.fill("#comment", "同意。")
        submit(page, page.locator("button[value=approve]"))
        assert success(page) == "已提交审批意见：同意。"
        assert approver.problems == [], approver.problems
    assert page.locator("h1 .tag").inner_text() == "已批准"
    commission_leader.context.close()
    page = township.open(clue_url)
    assert page.locator("h1 .tag").inner_text() == "初步核实"
    assert "初步核实（" in page.locator("dl.kv.card").inner_text()
    assert township.problems == [], township.problems
    township.context.close()

    # (c) The zone leader has the solver propose a cross team, records each member's paper recusal
    # declaration and confirms the team.
    page = leader.open(f"/teams/clue/{clue_id}/")
    propose = form(page, "propose")
    propose.locator("select[name=mode]").select_option(label="交叉办理")
    submit(page, propose.locator("button"))
    team = page.locator("main section.card").first
    assert "拟组建" in team.inner_text() and "交叉办理" in team.inner_text()
    roster = team.locator("table").first.locator("tbody")
    members = [row.locator("td").first.inner_text() for row in roster.locator("tr").all()]
    assert len(members) == 3 and "待签署" in team.inner_text()
    assert "宝山镇纪委" not in roster.inner_text()  # the cross rule: not the accused's township
    page = leader.open(f"/recusal/clue/{clue_id}/")
    for member in members:
        page.click("summary:has-text('登记纸质回避声明')")
        paper = form(page, "paper")
        label = next(o for o in paper.locator("select[name=staff_id] option").all_inner_texts() if member in o)
        paper.locator("select[name=staff_id]").select_option(label=label)
        submit(page, paper.locator("button"))
        assert success(page) == "已登记纸质回避声明。"
    declarations = page.locator("main section.card:has(h2:text-is('回避声明')) ul").inner_text()
    assert all(f"{m} · " in declarations for m in members) and "无应当回避情形" in declarations
    page = leader.open(f"/teams/clue/{clue_id}/")
    submit(page, page.locator("button:has-text('确定办案组')"))
    team = page.locator("main section.card").first.inner_text()
    assert "已确定" in team and "待签署" not in team and team.count("已签署") == 3, team
    assert leader.problems == [], leader.problems
    leader.context.close()


def test_a_clue_under_verification_is_filed_after_the_zone_votes_at_a_filing_meeting(demo, live_server, browser):
    from tests.filing.conftest import clue_under_verification

    clue = clue_under_verification()
    base = live_server.url
    # (e) The township drafts the filing report from the clue's page and sends it to the zone.
    township = Visit(browser, base, "xzshuji")
    page = township.open(f"/clues/{clue.pk}/")
    submit(page, page.locator("main nav a:has-text('起草立案审查呈批报告')"))
    draft = page.locator("main form")
    draft.locator("textarea[name=facts]").fill(
        "经初步核实，该村党支部书记2025年3月至2026年4月以其亲属名义虚报耕地面积，冒领耕地地力保护补贴1.2万元。"
    )
    draft.locator("textarea[name=basis]").fill("《中国共产党纪律处分条例》第一百零三条。")
    draft.locator("textarea[name=proposal]").fill("建议对其立案审查调查。")
    submit(page, draft.locator("button:has-text('起草')"))
    assert success(page) == "已起草立案审查呈批报告。核对无误后报协作区研究。"
    assert page.locator("h1 .tag").inner_text() == "起草中"
    proposal_url = page.url.removeprefix(base)
    submit(page, page.locator("button:has-text('报协作区研究')"))
    assert page.locator("h1 .tag").inner_text() == "待协作区会议研究"

    # (d) The zone votes on it at a 立案研究会.
    leader = Visit(browser, base, "zuzhang1")

    def filing_item(page: Any) -> None:
        submit(page, page.locator("main form:has(input[name=kind][value=filing]) button:has-text('列入议题')"))
        assert "立案审查呈批" in page.locator("main .card:has(h3)").first.inner_text()

    hold_meeting_and_vote(leader, "立案研究会", filing_item, "同意报宝山镇党委立案审查调查。")
    assert leader.problems == [], leader.problems
    leader.context.close()

    # (e) The township party committee's decision, recorded by its 纪委书记, opens the case.
    page = township.open(proposal_url)
    assert page.locator("h1 .tag").inner_text() == "协作区同意，待有权机关决定"
    assert "同意报宝山镇党委立案审查调查。" in page.locator("main dl.kv").first.inner_text()
    decision = form(page, "decide")
    decision.locator("select[name=decision]").select_option(label="立案")
    decision.locator("textarea[name=reason]").fill("经宝山镇党委研究，同意立案审查调查。")
    submit(page, decision.locator("button:has-text('录入决定')"))
    assert page.locator("h1 .tag").inner_text() == "已决定立案"
    facts = page.locator("main dl.kv").first.inner_text()
    assert "立案：经宝山镇党委研究，同意立案审查调查。" in facts and "凤纪立〔" in facts, facts
    assert township.problems == [], township.problems
    township.context.close()


def test_a_village_supervisors_home_fits_a_phone_and_takes_a_report(demo, live_server, browser):
    visit = Visit(browser, live_server.url, "jianduyuan")
    page = visit.page
    page.set_viewport_size({"width": 390, "height": 844})
    page = visit.open("/")
    assert page.locator("h1").inner_text() == "我的监督"
    assert "您还没有提交过。" in page.locator("main").inner_text()

    def overflow() -> int:
        return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))

    assert overflow() <= 0
    report = page.locator("main form").first
    report.locator("select").first.select_option(label="惠农补贴")
    report.locator("textarea").first.fill("双山子村2026年耕地地力保护补贴发放名单中有已去世村民，疑似冒领。")
    submit(page, report.locator("button:has-text('提交')"))
    mine = page.locator("main section.card, main .card").last.inner_text()
    assert "您还没有提交过。" not in mine and "惠农补贴" in page.locator("main").inner_text(), mine
    assert overflow() <= 0
    assert visit.problems == [], visit.problems
    visit.context.close()
