"""The clearing document (.docx): 澄清函 to the person, 澄清通报 to the party organisation or the audience.

It says what was reported in general terms, what the verification found, and that the commission clears
the person; it never names or hints at the reporter (检举控告规则: the reporter stays protected).
"""

from __future__ import annotations

from xiezuoqu.documents import body, chinese_date, official_document, paragraph, signature, to_bytes

from .models import Clearing, Method

TITLES = {
    Method.LETTER: "澄 清 函",
    Method.PARTY_ORGANISATION: "关于{name}同志有关问题的澄清通报",
    Method.ANNOUNCEMENT: "关于{name}同志有关问题的澄清通报",
}


def clearing_docx(clearing: Clearing) -> bytes:
    subject, clue, commission = clearing.subject, clearing.clue, clearing.commission
    title = TITLES[Method(clearing.method)].format(name=subject.name)
    document = official_document(commission.name, clearing.number, title)
    who = f"{subject.unit_text}{subject.position}" if (subject.unit_text or subject.position) else ""
    addressee = f"{subject.name}同志：" if clearing.method == Method.LETTER else f"{clearing.audience}："
    paragraph(document, addressee)
    body(
        document,
        f"{chinese_date(clue.received_on)}，本委收到反映{who}{subject.name}同志有关问题的问题线索（{clue.get_category_display()}）。"
        f"经依规依纪依法核查，{clearing.get_finding_display()}。",
    )
    body(document, clearing.facts)
    if clearing.method == Method.LETTER:
        body(document, "经本委主要负责人批准，现予以澄清正名。希望你放下思想包袱，继续担当作为、干事创业。")
    else:
        body(
            document,
            f"经本委主要负责人批准，现将有关情况予以通报，为{subject.name}同志澄清正名。"
            "请在适当范围内传达，消除不良影响。",
        )
    assert clearing.approved_on is not None
    signature(document, commission.name, clearing.approved_on)
    return to_bytes(document)


def clearing_filename(clearing: Clearing) -> str:
    return f"澄清正名-{clearing.number or clearing.pk}.docx"
