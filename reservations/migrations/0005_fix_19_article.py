"""财库〔2022〕19号's 40% for works in 2022 H2 is its item 三 (提高政府采购工程面向中小企业预留份额), not
二 (调整对小微企业的价格评审优惠幅度): databases loaded before 0003 was corrected get the right article."""

from django.db import migrations

CODE = "ratio-works-2022h2-19"
WRONG, RIGHT = "财库〔2022〕19号 第二条", "财库〔2022〕19号 第三条"


def forward(apps, schema_editor):
    apps.get_model("reservations", "PolicyRule").objects.filter(code=CODE, source=WRONG).update(source=RIGHT)


def backward(apps, schema_editor):
    apps.get_model("reservations", "PolicyRule").objects.filter(code=CODE, source=RIGHT).update(source=WRONG)


class Migration(migrations.Migration):
    dependencies = [("reservations", "0004_merge_0002_department_units_0003_default_policy_rules")]
    operations = [migrations.RunPython(forward, backward)]
