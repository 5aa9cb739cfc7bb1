"""Every write of intake: receive, register, route (受理归口), handle, tell the reporter, archive — one
module a stage, this package re-exporting their names so callers import ``xiezuoqu.intake.services``.

Each transition is one function and one transaction: lock the report row, check the actor against the
scope and the role rule (``selectors.may_*``), check the state table (``workflow.next_state``) and the
rule, write with ``update_fields``, record the audit event, open or close the deadline the rule sets
(``xiezuoqu.deadlines``). Nothing else assigns ``Report.state``.

The stages, in the order they depend on each other (a module imports only those above it, never this
package):

- ``_common``: the shared steps (clean a text, lock and refuse a report, the decision row, the audit
  event, the state move, the zone of a unit);
- ``notifications``: bell items (never the accused) and marking them read;
- ``inputs``: the input records, their cleaning, the head check, the accused and identity rows;
- ``numbers``: ledger numbers (台账编号) and their formats;
- ``messages``: the reporter — notices, feedback, questions, objections, the reporter's own messages;
- ``receiving``: the public site's report and its receipt code, the village supervisor's observation;
- ``routing``: forwarding up, down, to a lower commission, and the copies another commission receives;
- ``archive``: 归档 and the quarterly result report;
- ``disposal``: 受理, 不予受理, 转其他机关, 重复件, 分办, 办结;
- ``index``: the duplicate index and the registrar's decision on a candidate;
- ``registration``: 登记 and whom a registered report is reported to;
- ``identity``: the request to see the reporter's identity and its grant (an approvals hook).

For the public reporting site: ``submit_public_report`` returns the report and its 16-digit receipt code
(shown once, stored as an argon2 hash), ``find_report_by_receipt`` finds it again,
``record_reporter_message`` takes the reporter's answer, material or objection.
"""

from __future__ import annotations

from ._common import STATE_FIELDS, zone_concerned, zone_of_unit
from .archive import _ensure_quarterly as _ensure_quarterly
from .archive import archive_report, submit_quarterly_report
from .disposal import _conclude as _conclude
from .disposal import (
    accept_report,
    assign_report,
    conclude_report,
    conclude_reports_of_clue,
    mark_repeat,
    not_accept_report,
    transfer_report,
)
from .identity import request_identity
from .index import decide_duplicate, index_report, prepare_index
from .inputs import (
    EARLIEST_RECEIPT,
    HEAD_CHECK_TICK,
    ID_NUMBER,
    MAX_ACCUSED,
    PHONE,
    AccusedInput,
    IdentityInput,
    ReportInput,
)
from .messages import _open_objection_deadline as _open_objection_deadline
from .messages import (
    answer_objection,
    ask_reporter,
    give_feedback,
    record_acceptance_notice,
    record_objection,
    record_reporter_answer,
    record_reporter_message,
)
from .notifications import mark_notifications_read
from .numbers import (
    PETITION_OFFICE_PATTERN,
    PLACEHOLDERS,
    UNIT_PATTERN,
    check_pattern,
    default_pattern,
    format_number,
    pattern_for,
    set_ledger_format,
)
from .numbers import _ledger_context as _ledger_context
from .receiving import RECEIPT_DIGITS, find_report_by_receipt, submit_public_report, submit_village_report
from .registration import _after_registration as _after_registration
from .registration import _registration_recipients as _registration_recipients
from .registration import _registration_recipients_orm as _registration_recipients_orm
from .registration import register_received_report, register_report, registration_recipients
from .routing import (
    DECISION_COPIES,
    decision_due_recomputed,
    forward_report_down,
    forward_report_to_lower_commission,
    forward_report_up,
    lower_commissions,
    record_forward_sent,
)
from .routing import _forward_up as _forward_up

__all__ = [
    "DECISION_COPIES",
    "EARLIEST_RECEIPT",
    "HEAD_CHECK_TICK",
    "ID_NUMBER",
    "MAX_ACCUSED",
    "PETITION_OFFICE_PATTERN",
    "PHONE",
    "PLACEHOLDERS",
    "RECEIPT_DIGITS",
    "STATE_FIELDS",
    "UNIT_PATTERN",
    "AccusedInput",
    "IdentityInput",
    "ReportInput",
    "accept_report",
    "answer_objection",
    "archive_report",
    "ask_reporter",
    "assign_report",
    "check_pattern",
    "conclude_report",
    "conclude_reports_of_clue",
    "decide_duplicate",
    "decision_due_recomputed",
    "default_pattern",
    "find_report_by_receipt",
    "format_number",
    "forward_report_down",
    "forward_report_to_lower_commission",
    "forward_report_up",
    "give_feedback",
    "index_report",
    "lower_commissions",
    "mark_notifications_read",
    "mark_repeat",
    "not_accept_report",
    "pattern_for",
    "prepare_index",
    "record_acceptance_notice",
    "record_forward_sent",
    "record_objection",
    "record_reporter_answer",
    "record_reporter_message",
    "register_received_report",
    "register_report",
    "registration_recipients",
    "request_identity",
    "set_ledger_format",
    "submit_public_report",
    "submit_quarterly_report",
    "submit_village_report",
    "transfer_report",
    "zone_concerned",
    "zone_of_unit",
]
