"""Print the life cycles (state tables) of the product as Mermaid diagrams, generated from the code.

    xiezuoqu lifecycles > docs/lifecycles.md

Each stateful app's ``workflow.py`` exposes ``mermaid()``; the list below names them, so the
documentation of the life cycles is generated, never stale. Some add the rules that go with a life
cycle (who sees a report at each state; which recusal grounds apply at meetings), generated from the
same code that applies them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

LIFECYCLES: list[tuple[str, ...]] = [
    ("审批申请（approvals）", "xiezuoqu.approvals.workflow.mermaid"),
    ("检举控告件（intake）", "xiezuoqu.intake.workflow.mermaid", "xiezuoqu.intake.selectors.sight_notes"),
    ("问题线索（clues）", "xiezuoqu.clues.workflow.mermaid"),
    ("办案组与办理方式申请（teams）", "xiezuoqu.teams.workflow.mermaid"),
    ("初步核实（verification）", "xiezuoqu.verification.workflow.mermaid"),
    ("会议（meetings）", "xiezuoqu.meetings.workflow.mermaid", "xiezuoqu.recusal.conflicts.meeting_grounds_notes"),
    ("立案审查呈批（filing）", "xiezuoqu.filing.workflow.mermaid"),
    ("案件（cases）", "xiezuoqu.cases.workflow.mermaid"),
    ("专项检查（inspections）", "xiezuoqu.inspections.workflow.campaign_mermaid"),
    ("检查发现问题（inspections）", "xiezuoqu.inspections.workflow.finding_mermaid"),
    ("经费申请（funds）", "xiezuoqu.funds.workflow.mermaid"),
]


class Command(BaseCommand):
    help = "以 Mermaid 状态图输出各业务对象的生命周期（由代码中的状态表生成）"

    def handle(self, *args: Any, **options: Any) -> None:
        for title, path, *notes in LIFECYCLES:
            self.stdout.write(f"## {title}\n\n```mermaid\n{import_string(path)()}\n```\n")
            for note in notes:
                self.stdout.write(f"\n{import_string(note)()}\n")
