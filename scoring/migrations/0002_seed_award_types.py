from decimal import Decimal

from django.db import migrations

BASIS = "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định số 98/2023/NĐ-CP; Nghị định số 152/2025/NĐ-CP"

AWARD_TYPES = [
    # code, name, short name, level, money coefficient (× base salary)
    ("co-thi-dua-ubnd", "Cờ thi đua của Ủy ban nhân dân tỉnh, thành phố", "Cờ thi đua UBND", "province", "8.0"),
    (
        "bang-khen-chu-tich-ubnd",
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh, thành phố",
        "Bằng khen UBND",
        "province",
        "2.0",
    ),
    ("tap-the-lao-dong-xuat-sac", "Tập thể lao động xuất sắc", "TTLĐ xuất sắc", "province", "1.5"),
    ("tap-the-lao-dong-tien-tien", "Tập thể lao động tiên tiến", "TTLĐ tiên tiến", "province", "0.8"),
    ("co-thi-dua-chinh-phu", "Cờ thi đua của Chính phủ", "Cờ thi đua Chính phủ", "national", "12.0"),
]


def seed(apps, schema_editor):
    AwardType = apps.get_model("scoring", "AwardType")
    for position, (code, name, short_name, level, coefficient) in enumerate(AWARD_TYPES, start=1):
        AwardType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short_name,
                "level": level,
                "recipient": "collective",
                "money_coefficient": Decimal(coefficient),
                "legal_basis": BASIS,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("scoring", "AwardType").objects.filter(code__in=[a[0] for a in AWARD_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
