# Separate migrations for schema and data: PostgreSQL refuses to alter a table with pending
# deferred-constraint triggers from rows updated in the same transaction.
from django.db import migrations


def split_free_text(apps, schema_editor):
    """所属部门/职务 was free text ("办公室/科员"): the part before the first slash becomes a
    department of the user's institution, the rest the job title."""
    User = apps.get_model("accounts", "User")
    Department = apps.get_model("accounts", "Department")
    made = {}
    for user in User.objects.exclude(department="").iterator():
        text = user.department.strip()
        for slash in ("／", "\\"):
            text = text.replace(slash, "/")
        name, _sep, title = (part.strip() for part in text.partition("/"))
        if name and user.institution_id is not None:
            key = (user.institution_id, name[:50])
            if key not in made:
                made[key], _created = Department.objects.get_or_create(
                    institution_id=user.institution_id, name=name[:50]
                )
            user.department_ref = made[key]
        elif name:
            # No institution (a platform account): nowhere to keep a department, keep the words.
            title = "/".join(p for p in (name, title) if p)
        user.title = title[:50]
        user.save(update_fields=["department_ref", "title"])


def join_free_text(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.select_related("department_ref").iterator():
        parts = [user.department_ref.name if user.department_ref_id else "", user.title]
        user.department = "/".join(p for p in parts if p)[:100]
        user.save(update_fields=["department"])



class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_departments_phone_verification_institution_info")]

    operations = [migrations.RunPython(split_free_text, join_free_text)]
