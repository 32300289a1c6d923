import datetime

from django.db import migrations

SALARIES = [
    (datetime.date(2023, 7, 1), 1_800_000, "Nghị định số 24/2023/NĐ-CP"),
    (datetime.date(2024, 7, 1), 2_340_000, "Nghị định số 73/2024/NĐ-CP"),
]


def seed(apps, schema_editor):
    BaseSalary = apps.get_model("scoring", "BaseSalary")
    for valid_from, amount, basis in SALARIES:
        BaseSalary.objects.get_or_create(valid_from=valid_from, defaults={"amount": amount, "legal_basis": basis})


def unseed(apps, schema_editor):
    apps.get_model("scoring", "BaseSalary").objects.filter(valid_from__in=[s[0] for s in SALARIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0004_base_salary")]

    operations = [migrations.RunPython(seed, unseed)]
