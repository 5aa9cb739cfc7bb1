"""Writes of cases: 立案 (``open_case``, called by the filing app), then the life cycle of workflow.py —
审查调查 (team, measures, 留置, report, hand-over), 审理 (初审 / 复审 / 审理, 查审分离, returns),
处理决定 (per person, checked with ``sanctions.rules``, approved through "case.sanction"), 宣布, 执行,
申诉 (复审 / 复核) and 归档.

Each transition is one function and one transaction: lock the case row (the view predicate applied
after the lock), refuse an archived case (read-only), check the actor, the state table and the rules,
write with ``update_fields``, record the audit event. Nothing else assigns ``Case.state``.

One module per stage: ``opening`` (立案), ``measures`` (审查调查: measures, extensions, 冻结, 留置),
``evidence`` (证据入库), ``trial`` (report, hand-over, 审理, returns), ``decision`` (处理决定, 宣布, 执行),
``appeal`` (申诉) and ``archive`` (归档), on the helpers of ``_common``. This package re-exports their
names, so callers import ``xiezuoqu.cases.services`` as before; importing it registers the approval
hooks (``_detention_reviewed``, ``_return_decided``, ``_decision_decided``), which the app's ready()
relies on. The sub-modules import each other, never this package.
"""

from __future__ import annotations

from xiezuoqu.cases.services.appeal import APPEAL_PERIOD, decide_appeal, file_appeal
from xiezuoqu.cases.services.archive import archive_case
from xiezuoqu.cases.services.decision import (
    DecisionInput,
    _decision_decided,
    announce_decision,
    evaluate,
    plain_outcome,
    propose_decision,
    record_execution,
)
from xiezuoqu.cases.services.evidence import add_case_evidence
from xiezuoqu.cases.services.measures import (
    _detention_reviewed,
    end_detention,
    extend_detention,
    extend_measure,
    record_case_measure,
    record_higher_decision,
    release_measure,
    renew_freeze,
    request_detention,
    start_investigation,
)
from xiezuoqu.cases.services.opening import CASE_PATTERN, case_number, open_case
from xiezuoqu.cases.services.trial import (
    RETURN_MATTER,
    STAGE_KIND,
    ReportInput,
    _return_decided,
    check_separation,
    conclude_review,
    hand_over,
    open_trial_review,
    request_return,
    write_report,
)
from xiezuoqu.verification.evidence import MAX_EVIDENCE_SIZE, EvidenceInput

__all__ = [
    "APPEAL_PERIOD",
    "CASE_PATTERN",
    "MAX_EVIDENCE_SIZE",
    "RETURN_MATTER",
    "STAGE_KIND",
    "DecisionInput",
    "EvidenceInput",
    "ReportInput",
    "_decision_decided",
    "_detention_reviewed",
    "_return_decided",
    "add_case_evidence",
    "announce_decision",
    "archive_case",
    "case_number",
    "check_separation",
    "conclude_review",
    "decide_appeal",
    "end_detention",
    "evaluate",
    "extend_detention",
    "extend_measure",
    "file_appeal",
    "hand_over",
    "open_case",
    "open_trial_review",
    "plain_outcome",
    "propose_decision",
    "record_case_measure",
    "record_execution",
    "record_higher_decision",
    "release_measure",
    "renew_freeze",
    "request_detention",
    "request_return",
    "start_investigation",
    "write_report",
]
