"""The life-cycle diagrams are generated from the state tables."""

from io import StringIO

from django.core.management import call_command

from xiezuoqu.approvals.workflow import TRANSITIONS


def test_every_transition_of_the_approval_table_is_in_the_diagram():
    out = StringIO()
    call_command("lifecycles", stdout=out)
    text = out.getvalue()
    assert "stateDiagram-v2" in text
    for (before, _action), after in TRANSITIONS.items():
        assert f"{before or '[*]'} --> {after}" in text


def test_only_the_most_specific_nav_entry_is_highlighted():
    from xiezuoqu.access.actor import Actor
    from xiezuoqu.web.context import nav_for

    actor = Actor(user_id=1, username="x", commission_id=1, roles=frozenset({"zone_leader"}))
    active = [i["label"] for i in nav_for(actor, "/deadlines/overdue/") if i["active"]]
    assert active == ["超期督办"]


def test_the_committed_life_cycle_document_is_the_generated_one():
    """docs/lifecycles.md is the command's output: regenerate it (`xiezuoqu lifecycles > docs/lifecycles.md`)
    whenever a state table changes, so the documentation never drifts from the code."""
    from pathlib import Path

    out = StringIO()
    call_command("lifecycles", stdout=out)
    committed = Path(__file__).resolve().parents[2] / "docs" / "lifecycles.md"
    assert committed.read_text(encoding="utf-8") == out.getvalue()
