"""Install the default scorecards (property company stars on 20 criteria, party branch grading on
32 items in 3 areas, instructor duty list of 20 items) as published version 1."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone


def install(apps, schema_editor):
    from gongzhi.oversight.defaults import DEFAULT_SCORECARDS

    Scorecard = apps.get_model("oversight", "Scorecard")
    Group = apps.get_model("oversight", "ScorecardGroup")
    Criterion = apps.get_model("oversight", "Criterion")
    for spec in DEFAULT_SCORECARDS:
        if Scorecard.objects.filter(family=spec["family"]).exists():
            continue
        card = Scorecard.objects.create(
            family=spec["family"],
            version=1,
            name=spec["name"],
            subject_kind=spec["subject_kind"],
            scoring=spec["scoring"],
            pass_mark=Decimal(spec["pass_mark"]),
            source=spec["source"],
            status="published",
            published_at=timezone.now(),
            grade_bands=[["AAA", "90"], ["AA", "80"], ["A", "70"], ["B", "60"], ["C", "0"]],
            star_bands=[[5, "90"], [4, "80"], [3, "70"], [2, "60"], [1, "0"]],
        )
        for g_position, (name, weight, criteria) in enumerate(spec["groups"], start=1):
            group = Group.objects.create(
                scorecard=card, name=name, position=g_position, weight=Decimal(weight) if weight else None
            )
            for c_position, (text, points, method) in enumerate(criteria, start=1):
                Criterion.objects.create(
                    scorecard=card,
                    group=group,
                    position=c_position,
                    text=text,
                    max_points=Decimal(points),
                    method=method,
                )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_surveys_scorecards_inspections_ledger")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
