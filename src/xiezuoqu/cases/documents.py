"""Decision notices (.docx): 处分决定书 when the outcome includes a party or government sanction, else
处理决定. Generated on demand from the approved ``PersonDecision``, in the official layout."""

from __future__ import annotations

from datetime import date

from xiezuoqu.documents import CENTER, body, official_document, paragraph, signature, to_bytes
from xiezuoqu.sanctions import rules as sanctions

from .models import Case, DecisionBody, PersonDecision

SANCTION_KINDS = (sanctions.Kind.PARTY, sanctions.Kind.GOVERNMENT)


def _township(case: Case) -> str:
    """The township of a case filed by its party committee (宝山镇党委 → 宝山镇)."""
    return case.competent_body_name.removesuffix("党委").removesuffix("党工委")


def issuer_of(decision: PersonDecision, case: Case) -> str:
    if decision.body == DecisionBody.COUNTY:
        return case.commission.name
    township = _township(case)
    if decision.body == DecisionBody.TOWNSHIP_PARTY_COMMITTEE:
        return f"中共{township}委员会"
    return f"中共{township}纪律检查委员会"


def deciding_body_name(decision: PersonDecision, case: Case) -> str:
    """The body by its name (大堡蒙古族乡纪委), as the notice's text names it, not by its kind."""
    if decision.body == DecisionBody.COUNTY:
        return case.commission.name
    township = _township(case)
    return f"{township}党委" if decision.body == DecisionBody.TOWNSHIP_PARTY_COMMITTEE else f"{township}纪委"


def is_sanction(decision: PersonDecision) -> bool:
    return any(sanctions.MEASURES[c].kind in SANCTION_KINDS for c in decision.codes if c in sanctions.MEASURES)


def document_title(decision: PersonDecision) -> str:
    kind = "处分决定书" if is_sanction(decision) else "处理决定"
    return kind


def decision_docx(decision: PersonDecision) -> bytes:
    case = decision.case
    subject = decision.subject
    day = decision.decided_on or date.today()
    labels = "、".join(decision.labels)
    number = f"{case.commission.short_name or case.commission.name}处〔{day.year}〕{decision.pk}号"
    heading = document_title(decision)
    what = f"给予{subject.name}{labels}" + ("处分" if is_sanction(decision) else "")
    document = official_document(issuer_of(decision, case), number, f"关于{what}的决定")
    paragraph(document, f"（{heading}）", align=CENTER)
    body(document, f"{subject.name}，{subject.position or '（职务未登记）'}。")
    body(document, f"经查：{decision.grounds}")
    deciding = deciding_body_name(decision, case)
    body(
        document,
        f"本案经{case.competent_body_name}于{case.filed_on.year}年{case.filed_on.month}月{case.filed_on.day}日"
        f"立案审查调查（立案编号{case.case_number}），经审理，依据有关规定，经{deciding}研究决定，"
        f"{what}。",
    )
    body(document, f"本处理属于{decision.form_label}。")
    for period in decision.periods:
        if period.get("months") and period.get("end"):
            body(
                document,
                f"{period['label']}期间 {period['months']} 个月，自 {period['start']} 起至 {period['end']} 止。",
            )
    body(
        document,
        "如不服本决定，可以自收到本决定之日起一个月内向作出决定的机关申请复审；对复审决定不服的，"
        "可以自收到复审决定之日起一个月内向上一级机关申请复核。",
    )
    signature(document, issuer_of(decision, case), day)
    return to_bytes(document)


def decision_filename(decision: PersonDecision) -> str:
    return f"{decision.case.case_number}-{document_title(decision)}.docx"
