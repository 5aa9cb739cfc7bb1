"""The database itself refuses UPDATE and DELETE on the audit log (see ``xiezuoqu.audit.guard``).

Triggers on PostgreSQL and SQLite; other databases get none (the chain still detects tampering).
"""

from django.db import migrations


def install(apps, schema_editor):
    from xiezuoqu.audit.guard import install_guards

    install_guards(schema_editor.connection)


def remove(apps, schema_editor):
    from xiezuoqu.audit.guard import remove_guards

    remove_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_indexes_and_canonical_json")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
