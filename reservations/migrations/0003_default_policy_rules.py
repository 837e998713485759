"""The default policy rules (domain.md §3): national rules of 财库〔2020〕46号 and 财库〔2022〕19号.

No Shanghai-specific threshold with a citable article was found (沪财采〔2022〕1号's text was not
available), so Shanghai runs on the national rows; regional variants are added in the admin."""

from datetime import date
from decimal import Decimal

from django.db import migrations

NATIONAL = {"region_code": "", "region_name": "全国"}
RULES = [
    {"code": "whole-goods-services-46-art7", "kind": "whole", "works": False,
     "budget_up_to": Decimal("200"), "source": "财库〔2020〕46号 第七条"},
    {"code": "whole-works-46-art7", "kind": "whole", "goods": False, "services": False,
     "budget_up_to": Decimal("400"), "source": "财库〔2020〕46号 第七条"},
    {"code": "ratio-goods-services-46-art8", "kind": "min_ratio", "works": False,
     "budget_above": Decimal("200"), "minimum": Decimal("30"), "source": "财库〔2020〕46号 第八条"},
    {"code": "ratio-works-46-art8", "kind": "min_ratio", "goods": False, "services": False,
     "budget_above": Decimal("400"), "minimum": Decimal("30"), "source": "财库〔2020〕46号 第八条"},
    {"code": "small-micro-goods-services-46-art8", "kind": "min_small_micro", "works": False,
     "budget_above": Decimal("200"), "minimum": Decimal("60"), "source": "财库〔2020〕46号 第八条"},
    {"code": "small-micro-works-46-art8", "kind": "min_small_micro", "goods": False, "services": False,
     "budget_above": Decimal("400"), "minimum": Decimal("60"), "source": "财库〔2020〕46号 第八条"},
    {"code": "ratio-works-2022h2-19", "kind": "min_ratio", "goods": False, "services": False,
     "budget_above": Decimal("400"), "minimum": Decimal("40"), "valid_from": date(2022, 7, 1),
     "valid_to": date(2022, 12, 31), "source": "财库〔2022〕19号 第三条"},
]  # fmt: skip


def load(apps, schema_editor):
    PolicyRule = apps.get_model("reservations", "PolicyRule")
    for data in RULES:
        values = {**NATIONAL, "valid_from": date(2021, 1, 1), **data}
        PolicyRule.objects.update_or_create(code=values.pop("code"), defaults=values)


def unload(apps, schema_editor):
    apps.get_model("reservations", "PolicyRule").objects.filter(code__in=[r["code"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("reservations", "0002_policy_rules_and_row_dates")]
    operations = [migrations.RunPython(load, unload)]
