"""Seed the default scale of levels (见习 / 能协助 / 可独立承办 / 可带教) and the default minimum of turns
(2 a year) for every commission that exists; new commissions get them when created (apps.ready)."""

from django.db import migrations

LEVELS = (
    ("observer", "见习", "旁听、记录，熟悉办案流程"),
    ("assist", "能协助", "可在带教人指导下承担谈话记录、调取资料等具体任务"),
    ("independent", "可独立承办", "可独立承办一般问题线索的初步核实"),
    ("mentor", "可带教", "可作为带教人指导新学员"),
)


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Commission = apps.get_model("org", "Commission")
    Level = apps.get_model("training", "Level")
    TrainingPolicy = apps.get_model("training", "TrainingPolicy")
    for commission in Commission.objects.all():
        if not Level.objects.filter(commission=commission).exists():
            Level.objects.bulk_create(
                [
                    Level(commission=commission, code=code, name=name, description=text, order=order)
                    for order, (code, name, text) in enumerate(LEVELS)
                ]
            )
        TrainingPolicy.objects.get_or_create(commission=commission, defaults={"min_turns": 2})


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Level = apps.get_model("training", "Level")
    Assessment = apps.get_model("training", "Assessment")
    used = set(Assessment.objects.values_list("level_id", flat=True))
    Level.objects.filter(code__in=[code for code, _, _ in LEVELS]).exclude(pk__in=used).delete()
    apps.get_model("training", "TrainingPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
