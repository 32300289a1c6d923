"""Demo data: the real bloc of DOMAIN.md §6 and two more blocs of Cần Thơ. Safe to load twice."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from blocs.models import Bloc, BlocYear, Province, RotationSlot, Unit, User
from blocs.services import CouncilAssignment, bloc_rotate

DEMO_PASSWORD = "thiduabloc-demo"
PARENT = "Ủy ban nhân dân thành phố Cần Thơ"


@dataclass(frozen=True)
class DemoUnit:
    abbreviation: str
    name: str
    short_name: str
    head_name: str = ""
    head_title: str = ""
    valid_from: datetime.date = datetime.date(2008, 1, 1)
    valid_to: datetime.date | None = None
    successor: str = ""


UNITS = [
    # Khối thi đua các Hội có tính chất đặc thù số 1
    DemoUnit(
        "LHH",
        "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố",
        "LH các Hội KH&KT",
        "Nguyễn Văn Bình",
        "Chủ tịch",
    ),
    DemoUnit(
        "LHHN",
        "Liên hiệp các Tổ chức Hữu nghị thành phố",
        "LH các Tổ chức Hữu nghị",
        "Trần Thị Hồng",
        "Chủ tịch",
    ),
    DemoUnit(
        "VHNT",
        "Liên hiệp các Hội Văn học và Nghệ thuật thành phố",
        "LH các Hội VHNT",
        "Lê Minh Đức",
        "Chủ tịch",
    ),
    DemoUnit("LMHTX", "Liên minh các Hợp tác xã thành phố", "Liên minh HTX", "Phạm Quốc Hưng", "Chủ tịch"),
    DemoUnit("CTĐ", "Hội Chữ thập đỏ thành phố", "Hội Chữ thập đỏ", "Võ Thị Ánh", "Chủ tịch"),
    # Khối thi đua các Hội có tính chất đặc thù số 2
    DemoUnit("HNB", "Hội Nhà báo thành phố", "Hội Nhà báo", "Đặng Văn Lợi", "Chủ tịch"),
    DemoUnit("HLG", "Hội Luật gia thành phố", "Hội Luật gia", "Huỳnh Thanh Sơn", "Chủ tịch"),
    DemoUnit("HNM", "Hội Người mù thành phố", "Hội Người mù", "Ngô Văn Ước", "Chủ tịch"),
    DemoUnit("HĐY", "Hội Đông y thành phố", "Hội Đông y", "Lý Thị Ơn", "Chủ tịch"),
    DemoUnit("HKH", "Hội Khuyến học thành phố", "Hội Khuyến học", "Châu Văn Ấn", "Chủ tịch"),
    DemoUnit("CTNXP", "Hội Cựu Thanh niên xung phong thành phố", "Hội Cựu TNXP", "Tạ Văn Ưng", "Chủ tịch"),
    # Khối thi đua Văn hóa – Xã hội
    DemoUnit("SGDĐT", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT", "Trần Thanh Bình", "Giám đốc"),
    DemoUnit("SYT", "Sở Y tế", "Sở Y tế", "Hoàng Văn Phước", "Giám đốc"),
    DemoUnit("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Sở VH-TT&DL", "Nguyễn Thị Mỹ", "Giám đốc"),
    DemoUnit(
        "SLĐTBXH",
        "Sở Lao động – Thương binh và Xã hội",
        "Sở LĐ-TB&XH",
        "Bùi Văn Tâm",
        "Giám đốc",
        valid_to=datetime.date(2025, 2, 28),
        successor="SNV",
    ),
    DemoUnit(
        "SNV", "Sở Nội vụ", "Sở Nội vụ", "Đỗ Thị Hạnh", "Giám đốc", valid_from=datetime.date(2025, 3, 1)
    ),
    DemoUnit("ĐPTTH", "Đài Phát thanh và Truyền hình thành phố", "Đài PT&TH", "Mai Văn Khoa", "Giám đốc"),
    DemoUnit("BCT", "Báo Cần Thơ", "Báo Cần Thơ", "Quách Thị Yến", "Tổng Biên tập"),
]

# (kind, number, name, rotation order, first year, its head, its deputy, last year to rotate to, handover day)
BLOCS = [
    (
        Bloc.Kind.KHOI,
        1,
        "Khối thi đua các Hội có tính chất đặc thù số 1",
        ["CTĐ", "LHH", "LHHN", "LMHTX", "VHNT"],
        2021,
        "CTĐ",
        "LHH",
        2023,
        {2022: datetime.date(2021, 12, 24), 2023: datetime.date(2022, 12, 28)},
    ),
    (
        Bloc.Kind.KHOI,
        2,
        "Khối thi đua các Hội có tính chất đặc thù số 2",
        ["HNB", "HLG", "HNM", "HĐY", "HKH", "CTNXP"],
        2021,
        "HNB",
        "HLG",
        2023,
        {2022: datetime.date(2021, 12, 22), 2023: datetime.date(2022, 12, 27)},
    ),
    (
        Bloc.Kind.KHOI,
        5,
        "Khối thi đua Văn hóa – Xã hội",
        ["SGDĐT", "SYT", "SVHTTDL", "SLĐTBXH", "ĐPTTH", "BCT"],
        2021,
        "SYT",
        "SVHTTDL",
        2023,
        {2022: datetime.date(2021, 12, 29), 2023: datetime.date(2022, 12, 23)},
    ),
]

# username, last name, first name, role, unit abbreviation, staff
USERS = [
    ("quantri", "Nguyễn", "Quản Trị", User.Role.ADMIN, None, True),
    ("bantdkt", "Lâm", "Thị Thu", User.Role.REVIEWER, None, False),
    ("thuky.khkt", "Đinh", "Thị Mai", User.Role.SECRETARY, "LHH", False),
    ("thuky.huunghi", "Trương", "Văn Nghĩa", User.Role.SECRETARY, "LHHN", False),
    ("thuky.htx", "Kiều", "Minh Tâm", User.Role.SECRETARY, "LMHTX", False),
    ("canbo.chuthapdo", "Phan", "Thị Lan", User.Role.FOCAL, "CTĐ", False),
    ("thuky.luatgia", "Vương", "Quốc Bảo", User.Role.SECRETARY, "HLG", False),
    ("thuky.vhttdl", "Hồ", "Ngọc Hân", User.Role.SECRETARY, "SVHTTDL", False),
]


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create what is missing of the demo data; return (username, role, unit) of the demo users."""
    province, _ = Province.objects.get_or_create(
        code="CT", defaults={"name": "Cần Thơ", "kind": Province.Kind.CITY}
    )
    units: dict[str, Unit] = {}
    for spec in UNITS:
        unit = Unit.objects.filter(province=province, abbreviation=spec.abbreviation).first()
        if unit is None:
            unit = Unit(
                province=province,
                abbreviation=spec.abbreviation,
                name=spec.name,
                short_name=spec.short_name,
                parent_body=PARENT,
                address="Thành phố Cần Thơ",
                head_name=spec.head_name,
                head_title=spec.head_title,
                valid_from=spec.valid_from,
                valid_to=spec.valid_to,
            )
            unit.save()
        units[spec.abbreviation] = unit
    for spec in UNITS:
        if spec.successor and units[spec.abbreviation].successor_id is None:
            units[spec.abbreviation].successor = units[spec.successor]
            units[spec.abbreviation].save(update_fields=["successor"])

    for kind, number, name, order, first_year, head, deputy, last_year, handovers in BLOCS:
        bloc, created = Bloc.objects.get_or_create(
            province=province, kind=kind, number=number, defaults={"name": name}
        )
        if created:
            RotationSlot.objects.bulk_create(
                RotationSlot(bloc=bloc, unit=units[abbr], position=i) for i, abbr in enumerate(order, start=1)
            )
        existing = set(BlocYear.objects.filter(bloc=bloc).values_list("year", flat=True))
        if first_year not in existing:
            bloc_rotate(
                actor=None,
                bloc=bloc,
                year=first_year,
                handover_date=None,
                council=CouncilAssignment(
                    head=units[head],
                    deputy=units[deputy],
                    notice_number=f"{number:02d}/TB-HĐTĐKT",
                    notice_date=datetime.date(first_year, 1, 15),
                ),
            )
        for year in range(first_year + 1, last_year + 1):
            if year not in existing:
                bloc_rotate(actor=None, bloc=bloc, year=year, handover_date=handovers[year])

    logins = []
    for username, last_name, first_name, role, unit_abbr, staff in USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.last_name, user.first_name, user.role = last_name, first_name, role
        user.unit = units[unit_abbr] if unit_abbr else None
        user.is_staff = user.is_superuser = staff
        user.set_password(DEMO_PASSWORD)
        user.save()
        logins.append((username, user.get_role_display(), user.unit.name if user.unit else "—"))
    return logins


def set_demo_emails() -> None:
    for username, *_ in USERS:
        User.objects.filter(username=username, email="").update(email=f"{username}@demo.thiduabloc.vn")
