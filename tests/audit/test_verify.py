"""``verify_chain`` and ``xiezuoqu audit verify``: pass on an intact chain, and name the first row
that was altered, removed or inserted by someone who bypassed the append-only triggers.

The same tests run on SQLite and on PostgreSQL (CI runs the suite once per database).
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.verify import ALTERED, HEAD_MISMATCH, INSERTED, REMOVED, verify_chain

from .conftest import append, head, sql, tampering

pytestmark = pytest.mark.django_db

CHAIN = 300


@pytest.fixture
def chain(clerk_actor) -> list[AuditEvent]:
    """A few hundred events after whatever the database already holds."""
    return append(clerk_actor, CHAIN)


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", "verify", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_an_intact_chain_verifies_and_the_command_exits_zero(chain):
    result = verify_chain(batch_size=64)  # several keyset batches
    assert result.ok, result.problem
    assert result.last_seq == result.head_seq == chain[-1].seq
    assert result.rows_checked == chain[-1].seq - (result.first_seq or 1) + 1
    output = run_command()
    assert "审计链完整" in output and f"已校验 {result.rows_checked:,} 条" in output


def test_the_demo_data_verifies(demo):
    result = verify_chain()
    assert result.ok, result.problem
    assert result.rows_checked > 0
    run_command()


def test_an_empty_log_verifies_and_a_log_emptied_behind_its_head_does_not(chain):
    with tampering():
        sql("DELETE FROM audit_auditevent")
    result = verify_chain()
    assert result.problem is not None and result.problem.kind == HEAD_MISMATCH
    with tampering():
        sql("DELETE FROM audit_auditchainhead")
    result = verify_chain()
    assert result.ok and result.rows_checked == 0 and result.head_seq is None


@pytest.mark.parametrize("column, value", [("changes", '{"state":["draft","approved"]}'), ("actor_name", "someone")])
def test_an_edited_row_is_named(chain, column, value):
    victim = chain[120]
    with tampering():
        sql(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s", [value, victim.seq])
    result = verify_chain(batch_size=64)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.seq) == (ALTERED, victim.seq)
    assert f"第 {victim.seq} 条（seq={victim.seq}）内容被篡改" in result.problem.message
    with pytest.raises(CommandError, match=f"seq={victim.seq}") as failure:
        run_command()
    assert failure.value.returncode == 1


def test_an_edited_time_or_outcome_is_named(chain):
    victim = chain[7]
    with tampering():
        sql("UPDATE audit_auditevent SET outcome = 'refused' WHERE seq = %s", [victim.seq])
    result = verify_chain()
    assert result.problem is not None and (result.problem.kind, result.problem.seq) == (ALTERED, victim.seq)


def test_a_row_deleted_in_the_middle_is_named(chain):
    victim = chain[150]
    with tampering():
        sql("DELETE FROM audit_auditevent WHERE seq = %s", [victim.seq])
    result = verify_chain(batch_size=64)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.seq) == (REMOVED, victim.seq - 1)
    assert f"seq={victim.seq - 1} 之后缺失记录" in result.problem.message
    with pytest.raises(CommandError, match=f"seq={victim.seq - 1} 之后缺失记录"):
        run_command()


def test_the_last_row_deleted_shows_as_a_head_mismatch(chain):
    last = chain[-1]
    with tampering():
        sql("DELETE FROM audit_auditevent WHERE seq = %s", [last.seq])
    result = verify_chain()
    assert result.problem is not None
    assert (result.problem.kind, result.problem.seq) == (HEAD_MISMATCH, last.seq - 1)
    assert f"seq={last.seq - 1} 之后缺失记录" in result.problem.message
    with pytest.raises(CommandError, match="末尾记录被删除"):
        run_command()


def forge(seq: int, prev_mac: str) -> None:
    """Insert a plausible row without the key: the forger can copy anything but the MAC."""
    sql(
        "INSERT INTO audit_auditevent (seq, occurred_at, commission_id, actor_id, actor_name, role, action,"
        " target_type, target_id, target_label, outcome, changes, detail, client_address, algorithm,"
        " prev_mac, mac) SELECT %s, occurred_at, commission_id, actor_id, actor_name, role, 'clue.closed',"
        " target_type, target_id, target_label, outcome, changes, detail, client_address, algorithm, %s, %s"
        " FROM audit_auditevent WHERE seq = %s",
        [seq, prev_mac, "f" * 64, seq - 1 if seq > 1 else seq + 1],
    )


def test_a_forged_row_appended_after_the_head_is_named(chain):
    last = chain[-1]
    with tampering():
        forge(last.seq + 1, last.mac)
    result = verify_chain()
    assert result.problem is not None
    assert (result.problem.kind, result.problem.seq) == (INSERTED, last.seq + 1)
    with pytest.raises(CommandError, match=f"seq={last.seq + 1} 是插入的记录"):
        run_command()


def test_a_forged_row_inserted_in_the_middle_is_named(chain):
    """The forger makes room by renumbering the later rows, and inserts a row linked to its predecessor."""
    at = chain[100].seq
    with tampering():
        sql("UPDATE audit_auditevent SET seq = -seq WHERE seq >= %s", [at])
        sql("UPDATE audit_auditevent SET seq = 1 - seq WHERE seq < 0")
        forge(at, chain[99].mac)
    result = verify_chain(batch_size=64)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.seq) == (INSERTED, at)
    assert f"seq={at} 是插入的记录" in result.problem.message


def test_a_row_swapped_for_a_forgery_is_named_as_altered(chain):
    victim = chain[42]
    with tampering():
        sql("DELETE FROM audit_auditevent WHERE seq = %s", [victim.seq])
        forge(victim.seq, victim.prev_mac)
    result = verify_chain()
    assert result.problem is not None and (result.problem.kind, result.problem.seq) == (ALTERED, victim.seq)


def test_a_rewound_head_is_named(chain):
    with tampering():
        sql("UPDATE audit_auditchainhead SET mac = %s WHERE id = 1", ["e" * 64])
    result = verify_chain()
    assert result.problem is not None and result.problem.kind == HEAD_MISMATCH
    assert "链头被改动" in result.problem.message


def test_only_the_first_problem_is_reported(chain):
    with tampering():
        sql("DELETE FROM audit_auditevent WHERE seq = %s", [chain[200].seq])
        sql("UPDATE audit_auditevent SET detail = '{}' WHERE seq = %s", [chain[50].seq])
    result = verify_chain()
    assert result.problem is not None and (result.problem.kind, result.problem.seq) == (ALTERED, chain[50].seq)


def test_from_seq_checks_the_rest_of_the_chain_against_the_row_before_it(chain):
    start = chain[200].seq
    result = verify_chain(from_seq=start)
    assert result.ok and result.first_seq == start and result.rows_checked == CHAIN - 200
    with tampering():
        sql("UPDATE audit_auditevent SET target_label = 'x' WHERE seq = %s", [chain[250].seq])
    assert verify_chain(from_seq=start).problem.seq == chain[250].seq  # type: ignore[union-attr]
    assert "审计链完整" in run_command("--from-seq", str(chain[260].seq))


def test_rows_appended_while_verifying_are_checked_too(chain, clerk_actor, monkeypatch):
    """The head is read after the walk; rows that arrived meanwhile are walked, not reported missing."""
    from xiezuoqu.audit import verify

    real_head = verify._head
    appended: list[AuditEvent] = []

    def head_after_an_append(using: str):  # type: ignore[no-untyped-def]
        if not appended:
            appended.extend(append(clerk_actor, 3))
        return real_head(using)

    monkeypatch.setattr(verify, "_head", head_after_an_append)
    result = verify_chain()
    assert result.ok, result.problem
    assert result.last_seq == appended[-1].seq == head()[0]
