"""Every write of the clue ledger: open, join reports, confirm subjects, analyse, propose a disposal,
carry it out (谈话函询, 暂存待查, 予以了结, 初步核实), and the 谈话函询 rounds.

Each transition is one function and one transaction: lock the clue row, check the actor against the
scope and the role rule (``selectors.may_*``), check the state table (``workflow.next_state``) and the
rule, write with ``update_fields``, record the audit event and the sign-off (经手留痕), open or close
the deadline the rule sets. Nothing else assigns ``Clue.state``.

One module per stage: ``opening`` (登记, 并入), ``subjects`` (被反映人), ``analysis`` (分析研判, 线索研判会),
``disposal`` (处置意见 and its decision, 暂存待查复查, the result of 初步核实) and ``inquiry`` (谈话函询), on the
helpers of ``_common``. This package re-exports their names (and ``_open_conclusion``, which
``rulebook.national`` names as a rule's enforcer), so callers import ``xiezuoqu.clues.services`` as before;
importing it registers the approval hook ``_disposal_decided``, the due-date hook ``_reply_due_recomputed``
and the agenda kind ``clue_study``, which the app's ready() relies on. The sub-modules import each other,
never this package.
"""

from __future__ import annotations

from xiezuoqu.clues.services.analysis import ANALYSABLE_STATES, _zone_studied, record_analysis, start_analysis
from xiezuoqu.clues.services.disposal import (
    _disposal_decided,
    propose_disposal,
    review_held,
    settle_after_verification,
)
from xiezuoqu.clues.services.inquiry import (
    INQUIRY_CLOSING_OUTCOMES,
    _open_conclusion,
    _reply_due_recomputed,
    conclude_inquiry,
    record_reply,
    start_inquiry,
)
from xiezuoqu.clues.services.opening import (
    CLUE_PATTERN,
    JOINABLE_REPORT_STATES,
    ClueInput,
    index_clue,
    join_reports,
    open_clue,
)
from xiezuoqu.clues.services.subjects import (
    ID_NUMBER,
    SUBJECT_FIELDS,
    SubjectInput,
    add_subject,
    id_index_of,
    name_index_of,
    normalise_name,
    update_subject,
)

__all__ = [
    "ANALYSABLE_STATES",
    "CLUE_PATTERN",
    "ID_NUMBER",
    "INQUIRY_CLOSING_OUTCOMES",
    "JOINABLE_REPORT_STATES",
    "SUBJECT_FIELDS",
    "ClueInput",
    "SubjectInput",
    "_disposal_decided",
    "_open_conclusion",
    "_reply_due_recomputed",
    "_zone_studied",
    "add_subject",
    "conclude_inquiry",
    "id_index_of",
    "index_clue",
    "join_reports",
    "name_index_of",
    "normalise_name",
    "open_clue",
    "propose_disposal",
    "record_analysis",
    "record_reply",
    "review_held",
    "settle_after_verification",
    "start_analysis",
    "start_inquiry",
    "update_subject",
]
