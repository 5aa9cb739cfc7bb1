"""``Deadline.calendar_warning`` becomes ``due_provisional``: the same rows, now an explicit state.

No row changes value: ``calendar_warning`` was set exactly when the count (opening or an approved
extension) touched a year without calendar data, which is what "provisional" means. Rows whose year
was entered before this upgrade stay provisional until ``xiezuoqu deadline_recompute`` (or the next
calendar write) recomputes them; the migration itself does not recompute, because the counting and
its audit trail belong to the services, not to historical models.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0002_remove_deadline_deadline_period_unit_valid_and_more"),
    ]

    operations = [
        migrations.RenameField(model_name="deadline", old_name="calendar_warning", new_name="due_provisional"),
        migrations.AlterField(
            model_name="deadline",
            name="due_provisional",
            field=models.BooleanField(default=False, verbose_name="到期日待定（日历待确认）"),
        ),
    ]
