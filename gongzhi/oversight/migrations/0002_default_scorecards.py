"""Install the default scorecards (property company stars on 20 criteria, party branch grading on
32 items in 3 areas, instructor duty list of 20 items) as published version 1."""

from django.db import migrations


def install(apps, schema_editor):
    from gongzhi.oversight.defaults import install_default_scorecards

    install_default_scorecards(
        apps.get_model("oversight", "Scorecard"),
        apps.get_model("oversight", "ScorecardGroup"),
        apps.get_model("oversight", "Criterion"),
    )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_surveys_scorecards_inspections_ledger")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
