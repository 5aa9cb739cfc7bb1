"""Live verifications enter the deadline engine: each gets its "verification.stall" deadline (issue 18).

Before, the 6-month red warning was only a flag on the verification pages; now it is a supervised
deadline that the sweep turns red and answers with a 督办单 to the zone leader. Every round not yet
concluded gets an open stall deadline due 6 months (counted like every months-period, on today's
official calendar) from its last recorded progress, with the clue's zone and the team's lead unit
(else the clue's handling unit), as ``services._open_stall`` opens it for new rounds. Rows are written
with the historical models; the due date comes from the deadline services' ``compute_due`` (the
calendar's count, its "provisional" mark) and the audit chain gets one ``deadline.opened`` event per
commission listing the deadlines, as the sweep records its batches. Idempotent: a round that already
has an open stall deadline is skipped. A database without live rounds (a new one) writes nothing.
"""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

KIND = "verification.stall"
MONTHS = 6
RULE = "初步核实6个月无进展的，红色预警"


def open_stall_deadlines(apps, schema_editor):
    verification_model = apps.get_model("verification", "Verification")
    deadline_model = apps.get_model("deadlines", "Deadline")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    live = list(
        verification_model.objects.exclude(state="concluded")
        .select_related("clue", "team")
        .order_by("commission_id", "id")
    )
    if not live:
        return
    from xiezuoqu.audit.services import record_event
    from xiezuoqu.deadlines.services import compute_due

    content_type, _ = content_type_model.objects.get_or_create(app_label="verification", model="verification")
    has_one = set(
        deadline_model.objects.filter(target_type=content_type, kind=KIND, state="open").values_list(
            "target_id", flat=True
        )
    )
    opened: dict[int, list] = defaultdict(list)
    for verification in live:
        if verification.pk in has_one:
            continue
        clue = verification.clue
        start = timezone.localdate(verification.last_progress_at)
        result = compute_due(start, MONTHS, "months")
        suffix = f"（第{verification.round}轮）" if verification.round > 1 else ""
        deadline = deadline_model.objects.create(
            commission_id=verification.commission_id,
            target_type=content_type,
            target_id=verification.pk,
            target_label=f"{clue.ledger_number} 初步核实{suffix}"[:200],
            kind=KIND,
            label=f"{clue.ledger_number} 初步核实停滞预警"[:200],
            start_date=start,
            period_value=MONTHS,
            period_unit="months",
            original_due_date=result.date,
            due_date=result.date,
            state="open",
            responsible_unit_id=verification.team.lead_unit_id if verification.team else clue.handling_unit_id,
            zone_id=clue.zone_id,
            due_provisional=bool(result.warnings),
            warning_text="；".join(dict.fromkeys(w.message for w in result.warnings))[:300],
        )
        opened[verification.commission_id].append((deadline.pk, verification.pk, start, result.date))
    for commission_id, rows in opened.items():
        record_event(
            actor=None,
            action="deadline.opened",
            target_type="deadlines.deadline",
            target_id=f"{rows[0][0]}-{rows[-1][0]}" if len(rows) > 1 else str(rows[0][0]),
            target_label=f"初步核实停滞预警 {len(rows)} 件",
            changes={"state": [None, "open"]},
            detail={
                "kind": KIND,
                "rule": RULE,
                "period": f"{MONTHS} 个月",
                "migration": "verification.0003_open_stall_deadlines",
                "deadlines": [
                    {"deadline": pk, "verification": target, "start": start, "due_date": due}
                    for pk, target, start, due in rows
                ],
            },
            commission_id=commission_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_commission_seq_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0003_deadline_due_provisional"),
        ("verification", "0002_measure_time_limits"),
    ]

    operations = [migrations.RunPython(open_stall_deadlines, migrations.RunPython.noop)]
