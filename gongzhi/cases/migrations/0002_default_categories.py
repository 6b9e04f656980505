"""The categories every deployment starts with (editable afterwards in the admin). Deadlines follow
common 12345 practice: emergencies (water, power, lifts, safety) in hours; ordinary matters in
3–5 working days; matters that need a department or a committee decision in 10."""

from django.db import migrations

CATEGORIES = [
    # code, name, default responsible kind, working days, urgent days, emergency hours
    ("repair", "设施维修", "property_company", 5, 2, 4),
    ("elevator", "电梯故障", "property_company", 2, 1, 2),
    ("water_power", "水电气暖", "property_company", 3, 1, 2),
    ("sanitation", "环境卫生", "property_company", 3, 1, 4),
    ("greening", "绿化养护", "property_company", 5, 2, 4),
    ("parking", "停车管理", "property_company", 5, 2, 4),
    ("safety", "安全隐患", "property_company", 3, 1, 2),
    ("neighbour", "邻里纠纷", "residents_committee", 5, 2, 4),
    ("illegal_building", "违章搭建", "department", 10, 5, 4),
    ("committee_affairs", "业委会事务", "owners_committee", 10, 5, 24),
    ("party_service", "党群服务", "party_branch", 5, 2, 4),
    ("other", "其他", "residents_committee", 5, 2, 4),
]


def add(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for order, (code, name, kind, days, urgent, hours) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "default_org_kind": kind,
                "working_days": days,
                "urgent_working_days": urgent,
                "emergency_hours": hours,
                "order": (order + 1) * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_case_ledger")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
