"""On PostgreSQL case numbers draw their serial part from a sequence, which never blocks: the per
day counter row was locked by each report until its transaction committed, so reports filed at
the same moment waited on each other. The sequence starts above every number already handed out,
so new numbers never collide with old ones."""

from django.db import migrations

SEQUENCE = "cases_case_number_seq"


def create_sequence(apps, schema_editor):
    # Without a schema editor (the test suite re-seeding rows after a flush) the sequence, which a
    # flush does not drop, is already there.
    if schema_editor is None or schema_editor.connection.vendor != "postgresql":
        return
    counter = apps.get_model("cases", "CaseNumberCounter")
    last = max(counter.objects.values_list("last", flat=True), default=0)
    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH 1")
    if last:
        schema_editor.execute("SELECT setval(%s, %s)", [SEQUENCE, last])


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_default_categories")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
