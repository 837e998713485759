"""Load the Shanghai districts (GB/T 2260, domain.md §8) and create the positions (岗位) as groups."""

from django.db import migrations

DISTRICTS = [
    ("310000", "上海市", "municipality"),
    ("319900", "市本级", "municipal_level"),
    ("310101", "黄浦区", "district"),
    ("310104", "徐汇区", "district"),
    ("310105", "长宁区", "district"),
    ("310106", "静安区", "district"),
    ("310107", "普陀区", "district"),
    ("310109", "虹口区", "district"),
    ("310110", "杨浦区", "district"),
    ("310112", "闵行区", "district"),
    ("310113", "宝山区", "district"),
    ("310114", "嘉定区", "district"),
    ("310115", "浦东新区", "district"),
    ("310116", "金山区", "district"),
    ("310117", "松江区", "district"),
    ("310118", "青浦区", "district"),
    ("310120", "奉贤区", "district"),
    ("310151", "崇明区", "district"),
]

# Copied, not imported: a migration must not change when the enums do.
PERMISSIONS = {
    "submit_notice": "Create and submit notices",
    "purchaser_review": "Purchaser review of notices",
    "finance_review": "Finance review, publish and revoke notices",
    "oversee_filing": "Oversee filing and spot checks",
    "manage_staff": "Manage staff and positions",
}
POSITIONS = {
    "项目采购经办岗": ["submit_notice"],
    "采购人审核岗": ["purchaser_review"],
    "财政审核岗": ["finance_review"],
    "监督检查岗": ["oversee_filing"],
    "机构管理员": ["manage_staff"],
}


def load(apps, schema_editor):
    District = apps.get_model("accounts", "District")
    for code, name, level in DISTRICTS:
        District.objects.update_or_create(code=code, defaults={"name": name, "level": level})

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    user_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="user")
    perms = {}
    for codename, name in PERMISSIONS.items():
        perms[codename], _ = Permission.objects.get_or_create(
            content_type=user_type, codename=codename, defaults={"name": name}
        )
    for group_name, codenames in POSITIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.set([perms[c] for c in codenames])


def unload(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=POSITIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, unload)]
