"""Lists read newest first within a commission: index (commission_id, seq DESC) replaces the plain
commission_id index.

The old index is dropped by name rather than by AlterField: on SQLite an AlterField rebuilds the
table, and a rebuilt table loses the append-only triggers (tests/audit/test_append_only.py checks
that they are in place after all migrations).
"""

from django.db import migrations, models


def drop_commission_id_index(apps, schema_editor):
    connection = schema_editor.connection
    model = apps.get_model("audit", "AuditEvent")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == ["commission_id"]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_commission_id_index(apps, schema_editor):
    model = apps.get_model("audit", "AuditEvent")
    field = model._meta.get_field("commission_id")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="commission_id",
                    field=models.BigIntegerField(blank=True, null=True, verbose_name="纪委监委"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_commission_id_index, create_commission_id_index)],
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["commission_id", "-seq"], name="audit_commission_seq"),
        ),
    ]
