# The usual negative list for owners' committee candidates (seed 004: joint review against a
# "负面清单"). A deployment edits it in the admin.

from django.db import migrations

ITEMS = [
    ("N01", "受过刑事处罚或正在被立案侦查"),
    ("N02", "被列为失信被执行人"),
    ("N03", "拖欠物业服务费、专项维修资金等费用未缴清"),
    ("N04", "存在违法搭建、侵占共有部分等行为且未整改"),
    ("N05", "本人或近亲属在本小区物业服务企业任职"),
    ("N06", "曾因损害业主共同利益被罢免业主委员会委员"),
    ("N07", "参与邪教、黑恶势力或其他违法组织"),
]


def add_items(apps, schema_editor):
    NegativeListItem = apps.get_model("elections", "NegativeListItem")
    for code, text in ITEMS:
        NegativeListItem.objects.get_or_create(code=code, defaults={"text": text})


def remove_items(apps, schema_editor):
    NegativeListItem = apps.get_model("elections", "NegativeListItem")
    NegativeListItem.objects.filter(code__in=[code for code, _ in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("elections", "0001_votes_elections_rules")]

    operations = [migrations.RunPython(add_items, remove_items)]
