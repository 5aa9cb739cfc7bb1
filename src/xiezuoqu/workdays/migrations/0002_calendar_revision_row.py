"""The one ``CalendarRevision`` row exists from the start, so concurrent writers only ever lock it."""

from django.db import migrations


def create_revision_row(apps, schema_editor):
    CalendarRevision = apps.get_model("workdays", "CalendarRevision")
    CalendarRevision.objects.get_or_create(pk=1, defaults={"revision": 0, "token": ""})


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(create_revision_row, migrations.RunPython.noop)]
