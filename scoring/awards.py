"""The catalogue of award types a bloc can propose, as the law names them (DOMAIN.md §1).

Migration 0002 seeded the same list; this keeps the demo and fresh test databases able to restore it.
"""

from decimal import Decimal

from scoring.models import AwardType

LEGAL_BASIS = (
    "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định số 98/2023/NĐ-CP; Nghị định số 152/2025/NĐ-CP"
)

# code, name, short name, level, money coefficient (× base salary)
AWARD_TYPES = [
    (
        "co-thi-dua-ubnd",
        "Cờ thi đua của Ủy ban nhân dân tỉnh, thành phố",
        "Cờ thi đua UBND",
        "province",
        "8.0",
    ),
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


def ensure_award_types() -> None:
    """Create the award types that are missing; an existing one is left as the administrator set it."""
    for position, (code, name, short_name, level, coefficient) in enumerate(AWARD_TYPES, start=1):
        AwardType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short_name,
                "level": level,
                "recipient": AwardType.Recipient.COLLECTIVE,
                "money_coefficient": Decimal(coefficient),
                "legal_basis": LEGAL_BASIS,
                "position": position,
            },
        )
