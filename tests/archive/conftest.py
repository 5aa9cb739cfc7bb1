"""Helpers for the archive tests: a case filed from a concluded verification (evidence, a measure, a
立案研究会 with its minutes), a clue closed without a case, a clearing of one, and a 督办单."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from django.utils import timezone

from tests.clues.conftest import BAOSHAN, analysed, approve_all, demo_actor, login, open_other  # noqa: F401
from tests.filing.conftest import decide, held_with, submitted
from tests.intake.conftest import api_token  # noqa: F401
from xiezuoqu.cases.models import Case
from xiezuoqu.clearing import services as clearing_services
from xiezuoqu.clearing.models import Clearing
from xiezuoqu.clues import services as clue_services
from xiezuoqu.clues.models import Clue, DisposalMethod, Subject
from xiezuoqu.deadlines.models import SupervisionSlip
from xiezuoqu.deadlines.services import sweep_deadlines
from xiezuoqu.filing import services as filing_services
from xiezuoqu.meetings import services as meeting_services


def filed_case() -> Case:
    """A case of a 宝山 matter: 初步核实 concluded (one measure, one evidence file, report approved),
    立案审查呈批 agreed by the zone's 立案研究会 (minutes issued), filed by the commission (the
    subject is no village cadre, so the commission is the competent body)."""
    from tests.verification.conftest import concluded

    verification = concluded("file")
    proposal = submitted(verification.clue)
    item = held_with(proposal)
    decide(item)
    meeting_services.issue_minutes(actor=demo_actor("zuzhang1"), meeting_id=item.meeting_id, summary="按期报送。")
    proposal.refresh_from_db()
    filing_services.decide_as_body(
        actor=demo_actor("shuji"), proposal_id=proposal.pk, decision="file", reason="同意立案"
    )
    return Case.objects.select_related("clue").get(filing=proposal)


def closed_clue(*, slip: bool = False, username: str = "xzshuji", unit: str = BAOSHAN) -> Clue:
    """A clue closed (予以了结) without a case; with ``slip``, its deadline went overdue on the way and
    the sweep issued a 督办单 for it."""
    clue = analysed(open_other(username, unit=unit), username)
    if slip:
        sweep_deadlines(timezone.localdate() + timedelta(days=120))
    disposal = clue_services.propose_disposal(
        actor=demo_actor(username), clue_id=clue.pk, method=DisposalMethod.CLOSE, reason="经集体研判，反映问题不实"
    )
    assert disposal.approval_id is not None
    approve_all(disposal.approval_id)
    clue.refresh_from_db()
    assert clue.state == "closed"
    return clue


def cleared(clue: Clue) -> Clearing:
    """An approved 澄清函 for the closed clue's subject."""
    subject = Subject.objects.get(clue_links__clue=clue)
    clearing = clearing_services.propose_clearing(
        actor=demo_actor("xzshuji"),
        clue_id=clue.pk,
        data=clearing_services.ClearingInput(
            subject_id=subject.pk,
            method="letter",
            finding="untrue",
            facts="经查，相关补贴均按政策发放，反映问题不属实。",
        ),
    )
    from xiezuoqu.approvals.services import decide as decide_approval

    assert clearing.approval_id is not None
    decide_approval(actor=demo_actor("fenguan"), approval_id=clearing.approval_id, decision="approve", comment="同意")
    decide_approval(actor=demo_actor("shuji"), approval_id=clearing.approval_id, decision="approve", comment="同意澄清")
    clearing.refresh_from_db()
    return clearing


def slips_of(clue: Clue) -> list[SupervisionSlip]:
    return list(SupervisionSlip.objects.filter(deadline__target_id=clue.pk, deadline__target_type__model="clue"))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- one generated document of each kind (the document check and bench/check_documents.py) ----------------

DOCUMENT_KINDS = {
    "minutes": "会议纪要",
    "filing_request": "立案审查呈批报告",
    "decision_notice": "处分决定书",
    "clearing": "澄清函",
    "slip": "督办单",
    "evidence_inventory": "证据清单",
    "inspection_notice": "检查通报",
}


def one_of_each() -> dict[str, tuple[str, bytes, list[str]]]:
    """``{kind: (filename, .docx bytes, Chinese phrases the document must show)}`` from real flows in
    the demo county: a case decided with 党内警告 (its package: 立案审查呈批报告, 会议纪要,
    处分决定书), a clue closed with a 督办单 on the way and a 澄清函 (its package), and the 证据清单 of a
    concluded 初步核实 (exported as the package does)."""
    from tests.cases.conftest import decided
    from tests.verification.conftest import concluded
    from xiezuoqu.archive.package import build_package
    from xiezuoqu.verification.exports import export_inventory_docx
    from xiezuoqu.verification.models import EvidenceItem

    out: dict[str, tuple[str, bytes, list[str]]] = {}
    case = decided()
    files = members(build_package(case, actor=demo_actor("anguan")))
    subject = case.subject.name

    def pick(prefix: str) -> tuple[str, bytes]:
        (name,) = [n for n in files if n.startswith(f"documents/{prefix}")]
        return name.removeprefix("documents/"), files[name]

    out["filing_request"] = (*pick("立案审查呈批报告"), ["立案审查呈批报告", subject, "被审查调查人", "协作区研究意见"])
    out["minutes"] = (*pick("会议纪要"), ["会议纪要", "第一协作区", "出席情况", "议定事项", "表决情况"])
    out["decision_notice"] = (
        *pick(case.case_number),
        [f"关于给予{subject}党内警告处分的决定", "处分决定书", "经查", "申请复审"],
    )

    clue = closed_clue(slip=True)
    clearing = cleared(clue)
    slip = slips_of(clue)[0]
    files = members(build_package(clue, actor=demo_actor("xzshuji")))
    out["clearing"] = (*pick("澄清正名"), ["澄 清 函", f"{clearing.subject.name}同志：", clearing.number, "澄清正名"])
    out["slip"] = (*pick("督办单"), ["督 办 单", slip.number, "督办事项", "超期情况", "督办要求"])

    verification = concluded("file")
    item = EvidenceItem.objects.filter(clue=verification.clue).first()
    assert item is not None
    out["evidence_inventory"] = (
        f"证据清单-{verification.clue.ledger_number}.docx",
        export_inventory_docx(demo_actor("jianchashi1"), verification.clue),
        ["证 据 清 单", verification.clue.ledger_number, item.title, "完整性", item.sha256],
    )

    from xiezuoqu.demo.inspections import load_demo_inspections
    from xiezuoqu.inspections.exports import notice_docx, notice_name
    from xiezuoqu.inspections.models import Campaign
    from xiezuoqu.inspections.selectors import campaign_figures, campaign_findings

    load_demo_inspections()
    campaign = Campaign.objects.get(is_demo=True)
    organiser = demo_actor("shuji")
    findings = campaign_findings(organiser, campaign)
    out["inspection_notice"] = (
        notice_name(campaign),
        notice_docx(campaign, findings, campaign_figures(organiser, campaign)),
        [f"关于{campaign.title}情况的通报", findings[0].inspected_unit.name, findings[0].description, "整改"],
    )
    return out


def docx_text(content: bytes) -> str:
    """Every paragraph and table cell of a .docx, as python-docx reads it."""
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
