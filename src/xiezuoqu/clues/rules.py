"""The periods and rule texts of the clue ledger, in one place (DESIGN §3 "Clues")."""

from __future__ import annotations

from dataclasses import dataclass

from xiezuoqu.rulebook.national import national_default


@dataclass(frozen=True)
class Period:
    kind: str
    label: str
    rule: str
    working_days: int | None = None
    months: int | None = None
    warn_days: int = 3


DISPOSAL = Period(
    "clue.disposal",
    "线索处置",
    "监督执纪工作规则：问题线索应当在收到之日起1个月内经集体研究、按程序报批后提出处置意见",
    months=national_default("clue.disposal"),
)
LETTER_REPLY = Period(
    "clue.letter_reply",
    "函询回复",
    "监督执纪工作规则：被函询人应当在收到函件后15个工作日内写出说明材料，由其所在党委（党组）主要负责人签署意见后发函回复",
    working_days=national_default("clue.letter_reply"),
)
INQUIRY_CONCLUSION = Period(
    "clue.inquiry_conclusion",
    "谈话函询了结",
    "监督执纪工作规则：谈话函询应当在谈话结束或者收到函询回复后1个月内写出情况报告和处置意见",
    months=national_default("clue.inquiry_conclusion"),
)
# 暂存待查: the approved disposal fixes the review date; the timer runs to that date (calendar days,
# ending on a working day), so a held clue nobody looks at again turns yellow, then red.
HELD_REVIEW = Period(
    "clue.held_review",
    "暂存线索复查",
    "监督执纪工作规则：线索处置方式包括暂存待查；暂存的线索按批准的复查日期复查，情况变化时及时处置",
)
PERIODS = (DISPOSAL, LETTER_REPLY, INQUIRY_CONCLUSION, HELD_REVIEW)

DISPOSAL_RULE = "监督执纪工作规则：线索处置方式为谈话函询、初步核实、暂存待查、予以了结四类，经集体研究后按程序报批"
CLEARING_RULE = "检举控告工作规则：对受到失实检举控告的，经纪委书记批准予以澄清正名"
