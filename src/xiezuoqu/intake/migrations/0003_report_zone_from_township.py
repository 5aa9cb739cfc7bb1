"""流程1 (受理归口): a report naming a township belongs to that township's zone from its registration.

Reports registered before this fix took the zone of the registering unit — none for the city 信访室 — so
a report about a township stayed out of its zone's sight until accepted. Give every report that names a
township and still has no zone the zone the township belonged to on the day it was registered (or
received). Reports that already have a zone keep it: it was set when they were sent down or assigned,
by the same people whose sight it governs."""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def zone_from_township(apps, schema_editor):
    Report = apps.get_model("intake", "Report")
    ZoneMembership = apps.get_model("org", "ZoneMembership")
    pending = Report.objects.filter(zone__isnull=True, township__isnull=False).exclude(state="received")
    for report in pending.only("pk", "township_id", "registered_at", "received_on").iterator():
        day = timezone.localtime(report.registered_at).date() if report.registered_at else report.received_on
        membership = (
            ZoneMembership.objects.filter(unit_id=report.township_id, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .order_by("zone_id")
            .first()
        )
        if membership is not None:
            Report.objects.filter(pk=report.pk).update(zone_id=membership.zone_id)


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_forward_to_lower_commission"), ("org", "0001_initial")]

    operations = [migrations.RunPython(zone_from_township, migrations.RunPython.noop)]
