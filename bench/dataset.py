"""The bench dataset: a national deployment's history, written straight into PostgreSQL with COPY.

Provinces × blocs per province (5 to 11 units each, 8 on average) × years, every year with its campaign and a
30-item criteria table, a reviewed score sheet for every member, the conference with every member present, one
closed electronic round with its ballots and tally, nominations (a flag and two Bằng khen per bloc-year), the
adopted report and four issued documents (only the vote-count minutes while at the conference). Earlier years
are closed and their nominations decided; in the last year nine blocs in ten have sent their dossiers to the
reward board (submitted, accepted or returned nominations) and the tenth is still at its conference, so late.

The rows are consistent with what the services would have written (one head and one deputy per bloc-year, ranks
from the reviewed scores, elected units from the ballots), but they are written by COPY with foreign-key
triggers off (session_replication_role = replica): the services would take hours at this size. Every account
shares one password hash. Every document points at one small real PDF, rendered once with WeasyPrint.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thiduabloc_bench_small \\
        .venv/bin/python -m bench.dataset --provinces 2 [--fresh] [--json plan.json]

The database must be PostgreSQL and its name must contain "bench": when it holds no dataset of the same
parameters (or with --fresh) it is dropped and created again. A matching dataset is kept (pending migrations
are applied on top).
"""

import argparse
import dataclasses
import datetime
import hashlib
import io
import json
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from tests.load.run import pg_execute

BASE_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "bench-thiduabloc-2025"
MARKER_TABLE = "bench_dataset"
FORMAT = 2  # bump when the generated data changes shape: a cached dataset of another format is rebuilt
BATCH = 100_000
TZ = datetime.timezone(datetime.timedelta(hours=7))
FLAG, MERIT, EXCELLENT = "co-thi-dua-ubnd", "bang-khen-chu-tich-ubnd", "tap-the-lao-dong-xuat-sac"
SHARED_PDF = "documents/bench/shared.pdf"

# The 34 provinces and cities after the 2025 reorganisation (the six cities run by the centre first).
PROVINCES = [
    ("Hồ Chí Minh", "HCM", "thanh_pho"),
    ("Hà Nội", "HN", "thanh_pho"),
    ("Hải Phòng", "HP", "thanh_pho"),
    ("Đà Nẵng", "DN", "thanh_pho"),
    ("Cần Thơ", "CT", "thanh_pho"),
    ("Huế", "HUE", "thanh_pho"),
    ("Lai Châu", "LCH", "tinh"),
    ("Điện Biên", "DB", "tinh"),
    ("Sơn La", "SL", "tinh"),
    ("Lạng Sơn", "LS", "tinh"),
    ("Quảng Ninh", "QN", "tinh"),
    ("Thanh Hóa", "TH", "tinh"),
    ("Nghệ An", "NA", "tinh"),
    ("Hà Tĩnh", "HT", "tinh"),
    ("Cao Bằng", "CB", "tinh"),
    ("Tuyên Quang", "TQ", "tinh"),
    ("Lào Cai", "LC", "tinh"),
    ("Thái Nguyên", "TN", "tinh"),
    ("Phú Thọ", "PT", "tinh"),
    ("Bắc Ninh", "BN", "tinh"),
    ("Hưng Yên", "HY", "tinh"),
    ("Ninh Bình", "NB", "tinh"),
    ("Quảng Trị", "QT", "tinh"),
    ("Quảng Ngãi", "QNG", "tinh"),
    ("Gia Lai", "GL", "tinh"),
    ("Khánh Hòa", "KH", "tinh"),
    ("Lâm Đồng", "LD", "tinh"),
    ("Đắk Lắk", "DL", "tinh"),
    ("Đồng Nai", "DNA", "tinh"),
    ("Tây Ninh", "TNI", "tinh"),
    ("Vĩnh Long", "VL", "tinh"),
    ("Đồng Tháp", "DT", "tinh"),
    ("Cà Mau", "CM", "tinh"),
    ("An Giang", "AG", "tinh"),
]

# Kinds of member units: (full name prefix, short prefix); a place name follows.
UNIT_KINDS = [
    ("Hội Nông dân", "HND"),
    ("Hội Liên hiệp Phụ nữ", "HLHPN"),
    ("Hội Cựu chiến binh", "HCCB"),
    ("Hội Chữ thập đỏ", "HCTĐ"),
    ("Hội Người cao tuổi", "HNCT"),
    ("Hội Khuyến học", "HKH"),
    ("Đoàn Thanh niên Cộng sản Hồ Chí Minh", "ĐTN"),
    ("Ủy ban Mặt trận Tổ quốc", "MTTQ"),
    ("Trung tâm Y tế", "TTYT"),
    ("Trung tâm Văn hóa – Thể thao", "TTVHTT"),
    ("Ban Quản lý dự án", "BQLDA"),
    ("Trường Trung học phổ thông", "THPT"),
    ("Phòng Kinh tế", "PKT"),
    ("Phòng Văn hóa – Xã hội", "PVHXH"),
    ("Công an", "CA"),
    ("Ban Chỉ huy Quân sự", "BCHQS"),
    ("Liên đoàn Lao động", "LĐLĐ"),
]
SYLLABLES = [
    "An",
    "Bình",
    "Tân",
    "Hòa",
    "Phú",
    "Long",
    "Thạnh",
    "Mỹ",
    "Phước",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Trung",
    "Hưng",
    "Lợi",
    "Thới",
    "Vĩnh",
    "Xuân",
    "Quang",
    "Hiệp",
    "Thuận",
    "Khánh",
    "Lộc",
]
BLOC_THEMES = [
    "các Hội có tính chất đặc thù",
    "các xã, phường",
    "các cơ quan Đảng, đoàn thể",
    "các sở, ban, ngành",
    "các đơn vị sự nghiệp",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"]
GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Hữu Khánh", "Ngọc Lan", "Thanh Sơn"]

# The criteria table: (code, title, kind, cap, [(max score, title), …]); 22 scored items worth 100 points, 3
# bonus, 3 deduction and 2 knock-out items: 30 in all.
CRITERIA = [
    (
        "I",
        "Công tác chính trị, tư tưởng",
        "score",
        None,
        [
            (5, "Quán triệt, triển khai chủ trương của Đảng, chính sách, pháp luật của Nhà nước"),
            (5, "Thực hiện quy chế dân chủ ở cơ sở"),
            (5, "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
            (5, "Không có đơn thư khiếu nại vượt cấp"),
        ],
    ),
    (
        "II",
        "Thực hiện nhiệm vụ chuyên môn",
        "score",
        None,
        [
            (15, "Hoàn thành các chỉ tiêu, nhiệm vụ được giao trong năm"),
            (10, "Triển khai chương trình, kế hoạch công tác năm đúng tiến độ"),
            (10, "Phát triển hội viên, tổ chức thành viên"),
            (5, "Ứng dụng công nghệ thông tin, chuyển đổi số"),
            (5, "Cải cách hành chính"),
            (5, "Công tác an sinh xã hội"),
        ],
    ),
    (
        "III",
        "Công tác thi đua, khen thưởng",
        "score",
        None,
        [
            (4, "Phát động phong trào thi đua thường xuyên và theo chuyên đề"),
            (4, "Đăng ký thi đua, ký kết giao ước đúng thời gian"),
            (4, "Sơ kết, tổng kết, nhân rộng điển hình tiên tiến"),
            (4, "Báo cáo công tác thi đua, khen thưởng đúng hạn"),
            (4, "Tham gia hoạt động của Khối"),
        ],
    ),
    (
        "IV",
        "Xây dựng tổ chức, bộ máy",
        "score",
        None,
        [
            (2, "Xây dựng tổ chức Đảng, đoàn thể trong sạch, vững mạnh"),
            (2, "Thực hành tiết kiệm, chống lãng phí"),
            (1, "Phòng, chống tham nhũng, tiêu cực"),
            (1, "Đào tạo, bồi dưỡng cán bộ"),
        ],
    ),
    (
        "V",
        "Hoạt động chung của Khối",
        "score",
        None,
        [
            (2, "Tham gia đầy đủ các hội nghị của Khối"),
            (1, "Phối hợp, hỗ trợ các đơn vị trong Khối"),
            (1, "Đóng góp ý kiến xây dựng Khối"),
        ],
    ),
    (
        "VI",
        "Điểm cộng",
        "bonus",
        5,
        [
            (3, "Có mô hình mới, cách làm hay được ghi nhận"),
            (2, "Được tặng bằng khen cấp Bộ, ngành, tỉnh trong năm"),
            (2, "Đăng cai tổ chức hoạt động chung của Khối"),
        ],
    ),
    (
        "VII",
        "Điểm trừ",
        "deduction",
        10,
        [
            (5, "Gửi báo cáo chậm so với quy định"),
            (5, "Không tham gia hoạt động chung mà không có lý do"),
            (5, "Để xảy ra sai phạm bị cơ quan có thẩm quyền nhắc nhở"),
        ],
    ),
    (
        "VIII",
        "Tiêu chí loại trừ",
        "knockout",
        None,
        [
            (0, "Có tập thể, cá nhân bị kỷ luật từ hình thức cảnh cáo trở lên"),
            (0, "Đang bị thanh tra, kiểm tra có dấu hiệu vi phạm"),
        ],
    ),
]
HANDOVER_COLUMN = 11  # of the conference row
NULL = "\\N"
RANK_CRITERION = 4  # "2.1" in the flat list: the points each rank loses; other losses are the same for all


@dataclasses.dataclass(frozen=True)
class Scale:
    provinces: int = 34
    blocs_per_province: int = 40
    years: int = 5
    first_year: int = 2021

    def params(self) -> dict:
        return dataclasses.asdict(self) | {"format": FORMAT}


def units_in_bloc(index: int) -> int:
    """5 to 11 units, 8 on average (DOMAIN.md §5), cycling over the blocs."""
    return 5 + index % 7


def log_default(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# COPY


def _cell(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Copier:
    """Rows into a table by COPY, in batches; checks that every required column is given."""

    def __init__(self, raw_connection, log):
        self.raw = raw_connection
        self.log = log
        self.counts: dict[str, int] = {}

    def table(self, model_or_table, columns: list[str]):
        if isinstance(model_or_table, str):
            table = model_or_table
        else:
            table = model_or_table._meta.db_table
            given = set(columns)
            missing = [
                f.column
                for f in model_or_table._meta.concrete_fields
                if not f.null and f.column not in given and not f.has_db_default()
            ]
            if missing:
                raise ValueError(f"{table}: columns {missing} are required")
        return _TableWriter(self, table, columns)

    def flush(self, table: str, columns: list[str], lines: list[str]) -> None:
        if not lines:
            return
        buffer = io.StringIO("\n".join(lines) + "\n")
        with self.raw.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
        self.counts[table] = self.counts.get(table, 0) + len(lines)


class _TableWriter:
    def __init__(self, copier: Copier, table: str, columns: list[str]):
        self.copier, self.table, self.columns = copier, table, columns
        self.lines: list[str] = []

    def row(self, *values) -> None:
        self.lines.append("\t".join(map(_cell, values)))
        if len(self.lines) >= BATCH:
            self.flush()

    def raw_line(self, line: str) -> None:
        """A line already in COPY text format (for the hot loop of score lines)."""
        self.lines.append(line)
        if len(self.lines) >= BATCH:
            self.flush()

    def flush(self) -> None:
        self.copier.flush(self.table, self.columns, self.lines)
        self.lines = []


# ---------------------------------------------------------------------------------------------------------------
# Generation


class Ids:
    def __init__(self):
        self._next: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        value = self._next.get(name, 0) + 1
        self._next[name] = value
        return value


def _ts(day: datetime.date, hour: int = 9, minute: int = 0) -> str:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).isoformat()


def _dates(year: int) -> dict[str, datetime.date]:
    return {
        "launch": datetime.date(year, 3, 10),
        "covenant": datetime.date(year, 3, 24),
        "midyear": datetime.date(year, 7, 20),
        "scoring": datetime.date(year, 12, 10),
        "conference": datetime.date(year, 12, 28),
        "dossier": datetime.date(year + 1, 1, 15),
        "decision": datetime.date(year + 1, 3, 20),
    }


def _place(index: int) -> str:
    first = SYLLABLES[index % len(SYLLABLES)]
    second = SYLLABLES[(index // len(SYLLABLES) + index + 1) % len(SYLLABLES)]
    if second == first:
        second = SYLLABLES[(SYLLABLES.index(first) + 5) % len(SYLLABLES)]
    level = "phường" if index % 3 else "xã"
    return f"{level} {first} {second}"


def shared_pdf() -> bytes:
    """One small real PDF (WeasyPrint), stored once and pointed at by every generated document."""
    import weasyprint

    html = (
        "<html lang='vi'><body><h1>Văn bản mẫu của bộ dữ liệu đo hiệu năng</h1>"
        "<p>Mọi văn bản sinh ra cho phép đo dùng chung tệp PDF này.</p></body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def generate(scale: Scale, *, log=log_default) -> dict:
    """Fill the migrated, empty database; return the counts and what the measurement needs (ids, users)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from blocs.models import (
        Bloc,
        BlocYear,
        Handover,
        Membership,
        Province,
        RotationSlot,
        Unit,
        User,
    )
    from reports.models import Document, DocumentCounter, Narrative
    from reports.snapshots import TYPE_CODES, number_label
    from scoring.models import (
        Attendance,
        AwardType,
        Ballot,
        BallotChoice,
        Campaign,
        Conference,
        CriteriaGroup,
        Criterion,
        Nomination,
        NominationVersion,
        Registration,
        RoundAward,
        RoundCandidate,
        ScoreLine,
        ScoreSheet,
        Voter,
        VoteRound,
        VoteRule,
    )
    from thiduabloc.text import fold

    started = time.monotonic()
    rng = random.Random(2025)
    awards = dict(AwardType.objects.values_list("code", "pk"))
    award_positions = dict(AwardType.objects.values_list("code", "position"))
    if not {FLAG, MERIT, EXCELLENT} <= set(awards):
        raise RuntimeError("the award types of migration scoring 0002 are missing")
    pdf = shared_pdf()
    pdf_path = Path(settings.PRIVATE_MEDIA_ROOT) / SHARED_PDF
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.write_bytes(pdf)
    pdf_sha = hashlib.sha256(pdf).hexdigest()
    hashed = make_password(PASSWORD)

    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = False
    with raw.cursor() as cursor:
        # Foreign-key triggers off while copying (the rows are consistent by construction); on for the app.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
    copier = Copier(raw, log)
    ids = Ids()
    counter_last: dict[tuple[int, int, str], int] = {}
    last_year = scale.first_year + scale.years - 1

    provinces = copier.table(Province, ["id", "name", "kind", "code"])
    units = copier.table(
        Unit,
        [
            "id",
            "province_id",
            "name",
            "short_name",
            "abbreviation",
            "parent_body",
            "address",
            "head_name",
            "head_title",
            "valid_from",
            "valid_to",
            "successor_id",
            "search_text",
        ],
    )
    blocs = copier.table(
        Bloc, ["id", "province_id", "kind", "number", "name", "document_code", "search_text"]
    )
    slots = copier.table(RotationSlot, ["id", "bloc_id", "unit_id", "position"])
    bloc_years = copier.table(
        BlocYear, ["id", "bloc_id", "year", "basis", "notice_number", "notice_date", "created_at"]
    )
    memberships = copier.table(Membership, ["id", "bloc_year_id", "unit_id", "role"])
    handovers = copier.table(
        Handover,
        [
            "id",
            "bloc_year_id",
            "from_unit_id",
            "to_unit_id",
            "handed_over_on",
            "recorded_by_id",
            "recorded_at",
        ],
    )
    users = copier.table(
        User,
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "unit_id",
            "role",
        ],
    )
    campaigns = copier.table(
        Campaign,
        [
            "id",
            "bloc_year_id",
            "title",
            "status",
            "launch_date",
            "covenant_date",
            "midyear_review_date",
            "scoring_deadline",
            "conference_date",
            "dossier_deadline",
            "tie_break",
            "score_step",
            "criteria_frozen_at",
            "quorum_numerator",
            "quorum_denominator",
            "quorum_strict",
            "self_vote_allowed",
            "vote_rules_frozen_at",
            "covenant_signed_on",
            "covenant_place",
            "covenant_signatories",
            "created_at",
        ],
    )
    registrations = copier.table(
        Registration, ["id", "campaign_id", "unit_id", "targets", "registered_by_id", "registered_at"]
    )
    registration_titles = copier.table(
        Registration.titles.through._meta.db_table, ["id", "registration_id", "awardtype_id"]
    )
    groups = copier.table(CriteriaGroup, ["id", "campaign_id", "position", "code", "title", "kind", "cap"])
    criteria = copier.table(
        Criterion, ["id", "group_id", "position", "code", "title", "guidance", "max_score"]
    )
    sheets = copier.table(
        ScoreSheet,
        [
            "id",
            "campaign_id",
            "unit_id",
            "status",
            "version",
            "submitted_at",
            "reviewed_at",
            "reviewed_by_id",
            "return_comment",
        ],
    )
    lines = copier.table(
        ScoreLine,
        [
            "id",
            "sheet_id",
            "criterion_id",
            "self_score",
            "self_violation",
            "self_comment",
            "reviewed_score",
            "reviewed_violation",
            "review_reason",
            "version",
            "updated_at",
        ],
    )
    rules = copier.table(
        VoteRule,
        [
            "id",
            "campaign_id",
            "award_type_id",
            "position",
            "quota_kind",
            "quota_number",
            "quota_numerator",
            "quota_denominator",
            "quota_rounding",
            "rank_from",
            "rank_to",
            "threshold_numerator",
            "threshold_denominator",
            "threshold_strict",
            "threshold_basis",
            "tie_rule",
        ],
    )
    conferences = copier.table(
        Conference,
        [
            "id",
            "campaign_id",
            "held_on",
            "starts_at",
            "ends_at",
            "place",
            "chair",
            "secretary",
            "guests",
            "report_adopted",
            "direction_adopted",
            "handover_id",
            "created_at",
        ],
    )
    attendances = copier.table(Attendance, ["id", "conference_id", "unit_id", "delegate"])
    rounds = copier.table(
        VoteRound,
        [
            "id",
            "conference_id",
            "number",
            "method",
            "status",
            "runoff_of_id",
            "members_count",
            "present_count",
            "entitled_count",
            "ballots_issued",
            "ballots_returned",
            "opened_at",
            "closed_at",
            "closed_by_id",
        ],
    )
    round_awards = copier.table(
        RoundAward, ["id", "round_id", "rule_id", "seats", "valid", "invalid", "basis_count"]
    )
    candidates = copier.table(
        RoundCandidate,
        [
            "id",
            "round_award_id",
            "unit_id",
            "rank",
            "final_score",
            "approvals",
            "share_numerator",
            "share_denominator",
            "passed",
            "elected",
            "runoff",
        ],
    )
    voters = copier.table(Voter, ["id", "round_id", "unit_id", "has_voted"])
    ballots = copier.table(Ballot, ["id", "round_id"])
    choices = copier.table(BallotChoice, ["id", "ballot_id", "candidate_id"])
    nominations = copier.table(
        Nomination,
        [
            "id",
            "campaign_id",
            "unit_id",
            "award_type_id",
            "candidate_id",
            "status",
            "summary",
            "version",
            "return_reason",
            "decision_number",
            "decision_date",
            "reviewed_by_id",
            "updated_at",
            "sort_year",
            "sort_bloc",
            "sort_award",
            "sort_unit",
        ],
    )
    versions = copier.table(
        NominationVersion,
        ["id", "nomination_id", "number", "summary", "changes", "submitted_by_id", "submitted_at"],
    )
    narratives = copier.table(
        Narrative,
        [
            "id",
            "campaign_id",
            "number",
            "strengths",
            "limitations",
            "lessons",
            "direction",
            "proposals",
            "adopted",
            "created_by_id",
            "created_at",
        ],
    )
    counters = copier.table(DocumentCounter, ["id", "bloc_id", "year", "type_code", "last_number"])
    documents = copier.table(
        Document,
        [
            "id",
            "campaign_id",
            "kind",
            "vote_round_id",
            "narrative_id",
            "bloc_id",
            "year",
            "type_code",
            "number",
            "version",
            "supersedes_id",
            "issued_on",
            "issued_at",
            "issued_by_id",
            "snapshot",
            "pdf",
            "sha256",
        ],
    )

    # Accounts of the reward board and the administrator.
    joined = _ts(datetime.date(scale.first_year, 1, 5))
    reviewer_ids = []
    for n in range(1, 6):
        uid = ids("user")
        reviewer_ids.append(uid)
        users.row(
            uid,
            hashed,
            None,
            False,
            f"bantdkt.{n}",
            GIVEN[n % len(GIVEN)],
            FAMILY[n % len(FAMILY)],
            f"bantdkt.{n}@example.vn",
            False,
            True,
            joined,
            None,
            "reviewer",
        )
    admin_id = ids("user")
    users.row(
        admin_id,
        hashed,
        None,
        True,
        "quantri",
        "Quản trị",
        "Hệ thống",
        "quantri@example.vn",
        True,
        True,
        joined,
        None,
        "admin",
    )

    plan: dict = {"password": PASSWORD, "reviewer": "bantdkt.1", "admin": "quantri", "last_year": last_year}
    flat = [
        (g_index, g, item_index, item)
        for g_index, g in enumerate(CRITERIA)
        for item_index, item in enumerate(g[4])
    ]
    scored = [i for i, (_gi, g, _ii, _item) in enumerate(flat) if g[2] == "score"]
    bloc_index = 0
    # The pages are measured on the first bloc of 8 units (the average), in the first province.
    plan_bloc = 3 if scale.blocs_per_province > 3 else 0
    for p_index in range(scale.provinces):
        if p_index < len(PROVINCES):
            p_name, p_code, p_kind = PROVINCES[p_index]
        else:
            p_name, p_code, p_kind = f"Tỉnh thử nghiệm {p_index + 1}", f"T{p_index + 1}", "tinh"
        province_id = ids("province")
        provinces.row(province_id, p_name, p_kind, p_code)
        unit_in_province = 0
        numbers = {"khoi": 0, "cum": 0}
        for b in range(scale.blocs_per_province):
            n = units_in_bloc(bloc_index)
            kind = "cum" if b % 5 == 1 else "khoi"
            numbers[kind] += 1
            number = numbers[kind]
            theme = BLOC_THEMES[b % len(BLOC_THEMES)]
            bloc_name = f"{'Cụm' if kind == 'cum' else 'Khối'} thi đua {theme} số {number}"
            bloc_id = ids("bloc")
            blocs.row(bloc_id, province_id, kind, number, bloc_name, "", fold(bloc_name))
            issuer = f"{'C' if kind == 'cum' else 'K'}TĐ{number}"
            member_ids, member_names, secretary_of, focal_of = [], [], {}, {}
            for u in range(n):
                unit_kind, unit_short = UNIT_KINDS[(unit_in_province + b) % len(UNIT_KINDS)]
                place = _place(unit_in_province)
                name = f"{unit_kind} {place}"
                short = f"{unit_short} {place.split(' ', 1)[1]}"
                abbreviation = f"{unit_short[:8]}{b + 1:02d}{u + 1:02d}"
                unit_in_province += 1
                unit_id = ids("unit")
                units.row(
                    unit_id,
                    province_id,
                    name,
                    short,
                    abbreviation,
                    f"Ủy ban nhân dân {'thành phố' if p_kind == 'thanh_pho' else 'tỉnh'} {p_name}",
                    f"Số {u + 1} đường {SYLLABLES[u]} {SYLLABLES[b % len(SYLLABLES)]}, {place}",
                    f"{FAMILY[(u + b) % len(FAMILY)]} {GIVEN[u % len(GIVEN)]}",
                    "Chủ tịch" if unit_kind.startswith(("Hội", "Ủy ban")) else "Giám đốc",
                    datetime.date(2015, 1, 1),
                    None,
                    None,
                    fold(f"{name} {short} {abbreviation}"),
                )
                slots.row(ids("slot"), bloc_id, unit_id, u + 1)
                member_ids.append(unit_id)
                member_names.append(name)
                login = f"{p_code.lower()}.{b + 1:02d}.{u + 1:02d}"
                for role, prefix in (("focal", "canbo"), ("secretary", "thuky")):
                    uid = ids("user")
                    users.row(
                        uid,
                        hashed,
                        None,
                        False,
                        f"{prefix}.{login}",
                        GIVEN[(u + 3) % len(GIVEN)],
                        FAMILY[(u + b + 1) % len(FAMILY)],
                        f"{prefix}.{login}@example.vn",
                        False,
                        True,
                        joined,
                        unit_id,
                        role,
                    )
                    (focal_of if role == "focal" else secretary_of)[unit_id] = uid

            previous_head, previous_conference_day = None, None
            # A year's conference row waits for the next year: it records the handover to the next head.
            pending: list | None = None
            bloc_year_ids = {}
            for y in range(scale.years):
                year = scale.first_year + y
                dates = _dates(year)
                head, deputy = y % n, (y + 1) % n
                bloc_year_id = ids("bloc_year")
                bloc_year_ids[year] = bloc_year_id
                bloc_years.row(bloc_year_id, bloc_id, year, "rotation", "", None, _ts(dates["launch"], 8))
                for u, unit_id in enumerate(member_ids):
                    role = "head" if u == head else "deputy" if u == deputy else "member"
                    memberships.row(ids("membership"), bloc_year_id, unit_id, role)
                handover_id = None
                if previous_head is not None:
                    handover_id = ids("handover")
                    handovers.row(
                        handover_id,
                        bloc_year_id,
                        member_ids[previous_head],
                        member_ids[head],
                        previous_conference_day,
                        None,
                        _ts(previous_conference_day, 16),
                    )
                    # The previous year's conference handed the role over to this year's head.
                    pending[HANDOVER_COLUMN] = handover_id
                if pending:
                    conferences.row(*pending)
                    pending = None
                head_secretary = secretary_of[member_ids[head]]
                if y < scale.years - 1:
                    status = "closed"
                elif bloc_index % 10 == 9:
                    status = "conference"
                else:
                    status = "submitted"
                campaign_id = ids("campaign")
                campaigns.row(
                    campaign_id,
                    bloc_year_id,
                    f"Phong trào thi đua năm {year} của {bloc_name}",
                    status,
                    dates["launch"],
                    dates["covenant"],
                    dates["midyear"],
                    dates["scoring"],
                    dates["conference"],
                    dates["dossier"],
                    "full_marks_then_deduction",
                    "0.25",
                    _ts(dates["scoring"], 8),
                    2,
                    3,
                    False,
                    True,
                    _ts(dates["conference"], 9),
                    dates["covenant"],
                    f"Hội trường {member_names[head]}",
                    "\n".join(f"Thủ trưởng {name}" for name in member_names),
                    _ts(dates["launch"], 8, 30),
                )
                for unit_id in member_ids:
                    registration_id = ids("registration")
                    registrations.row(
                        registration_id,
                        campaign_id,
                        unit_id,
                        f"Hoàn thành 100% chương trình công tác năm {year}; tham gia đầy đủ hoạt động của Khối.",
                        focal_of[unit_id],
                        _ts(dates["launch"], 10),
                    )
                    registration_titles.row(ids("registration_title"), registration_id, awards[EXCELLENT])
                criterion_ids = []
                for g_index, (code, title, kind_, cap, items) in enumerate(CRITERIA):
                    group_id = ids("group")
                    groups.row(group_id, campaign_id, g_index + 1, code, title, kind_, cap)
                    for i, (max_score, item_title) in enumerate(items):
                        criterion_id = ids("criterion")
                        criterion_ids.append(criterion_id)
                        criteria.row(
                            criterion_id,
                            group_id,
                            i + 1,
                            f"{g_index + 1}.{i + 1}",
                            item_title,
                            "",
                            max_score,
                        )
                # Sheets: the unit of rank r loses r points on "2.1"; every unit loses 0.25 on two other
                # scored items and gets 1 bonus point, so the final score is 100.5 - r and the ranks are clear.
                ranks = {u: (u + y) % n for u in range(n)}
                submitted_at = _ts(dates["scoring"], 15)
                reviewed_at = _ts(dates["scoring"] + datetime.timedelta(days=5), 10)
                final_scores = {}
                for u, unit_id in enumerate(member_ids):
                    sheet_id = ids("sheet")
                    sheets.row(
                        sheet_id,
                        campaign_id,
                        unit_id,
                        "reviewed",
                        3,
                        submitted_at,
                        reviewed_at,
                        head_secretary,
                        "",
                    )
                    r = ranks[u]
                    j1 = scored[(u * 3) % len(scored)]
                    j2 = scored[(u * 3 + 7) % len(scored)]
                    if j1 == RANK_CRITERION:
                        j1 = scored[scored.index(j1) + 1]
                    if j2 in (RANK_CRITERION, j1):
                        j2 = scored[(scored.index(j2) + 2) % len(scored)]
                    self_higher = u % 3 == 0
                    for j, (_g_index, group, _i, (max_score, _title)) in enumerate(flat):
                        kind_ = group[2]
                        line_id = ids("line")
                        reason = comment = ""
                        violation = NULL
                        if kind_ == "knockout":
                            self_score = reviewed = NULL
                            violation = "f"
                        else:
                            if kind_ == "score":
                                value = Decimal(max_score)
                                if j == RANK_CRITERION:
                                    value -= r
                                elif j in (j1, j2):
                                    value -= Decimal("0.25")
                            elif kind_ == "bonus":
                                value = Decimal(1) if j == scored[-1] + 1 else Decimal(0)
                            else:
                                value = Decimal(0)
                            reviewed = str(value)
                            self_score = reviewed
                            if self_higher and j == j1:
                                self_score = str(Decimal(max_score))
                                reason = "Chưa có minh chứng đầy đủ cho một nội dung của tiêu chí."
                            if j == RANK_CRITERION:
                                comment = "Có báo cáo kèm theo."
                        lines.raw_line(
                            f"{line_id}\t{sheet_id}\t{criterion_ids[j]}\t{self_score}\t{violation}\t"
                            f"{comment}\t{reviewed}\t{violation}\t{reason}\t2\t{reviewed_at}"
                        )
                    final_scores[u] = Decimal("100.5") - r

                # Vote rules, conference, one closed electronic round with its ballots.
                rule_flag, rule_merit = ids("rule"), ids("rule")
                for rule_id, award, position, quota, rank_from, rank_to in (
                    (rule_flag, FLAG, 1, 1, 1, 1),
                    (rule_merit, MERIT, 2, 2, 2, 4),
                ):
                    rules.row(
                        rule_id,
                        campaign_id,
                        awards[award],
                        position,
                        "number",
                        quota,
                        None,
                        None,
                        "down",
                        rank_from,
                        rank_to,
                        7,
                        10,
                        False,
                        "members",
                        "approvals_then_score",
                    )
                conference_id = ids("conference")
                pending = [
                    conference_id,
                    campaign_id,
                    dates["conference"],
                    "08:00:00",
                    "11:30:00",
                    f"Hội trường {member_names[head]}",
                    f"Thủ trưởng {member_names[head]}",
                    f"Cán bộ {member_names[deputy]}",
                    "Đại diện Ban Thi đua – Khen thưởng",
                    True,
                    True,
                    None,
                    _ts(dates["conference"], 7),
                ]
                for unit_id in member_ids:
                    attendances.row(ids("attendance"), conference_id, unit_id, "Thủ trưởng đơn vị")
                round_id = ids("round")
                rounds.row(
                    round_id,
                    conference_id,
                    1,
                    "electronic",
                    "closed",
                    None,
                    n,
                    n,
                    n,
                    n,
                    n,
                    _ts(dates["conference"], 10),
                    _ts(dates["conference"], 10, 30),
                    head_secretary,
                )
                by_rank = {r: member_ids[u] for u, r in ranks.items()}
                score_of = {member_ids[u]: final_scores[u] for u in ranks}
                award_flag, award_merit = ids("round_award"), ids("round_award")
                round_awards.row(award_flag, round_id, rule_flag, 1, n, 0, n)
                round_awards.row(award_merit, round_id, rule_merit, 2, n, 0, n)
                approvals = [n - 1, n, n - 1, 1]
                candidate_ids = []
                for position, award_id in enumerate((award_flag, award_merit, award_merit, award_merit)):
                    candidate_id = ids("candidate")
                    candidate_ids.append(candidate_id)
                    unit_id = by_rank[position]
                    share = Fraction(approvals[position], n)
                    passed = approvals[position] * 10 >= 7 * n
                    candidates.row(
                        candidate_id,
                        award_id,
                        unit_id,
                        position + 1,
                        score_of[unit_id],
                        approvals[position],
                        share.numerator,
                        share.denominator,
                        passed,
                        passed,  # the flag's one seat and Bằng khen's two go to the three who passed
                        False,
                    )
                for unit_id in member_ids:
                    voters.row(ids("voter"), round_id, unit_id, True)
                for i in range(n):
                    ballot_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                    ballots.row(ballot_id, round_id)
                    chosen = [candidate_ids[1]]
                    if i != n - 1:
                        chosen.append(candidate_ids[0])
                    chosen.append(candidate_ids[3] if i == 0 else candidate_ids[2])
                    for candidate_id in chosen:
                        choices.row(uuid.UUID(int=rng.getrandbits(128), version=4), ballot_id, candidate_id)

                # Nominations of the three elected units and their review.
                for slot, (award, candidate_index) in enumerate(((FLAG, 0), (MERIT, 1), (MERIT, 2))):
                    nomination_id = ids("nomination")
                    unit_id = by_rank[candidate_index]
                    summary = (
                        f"{member_names[member_ids.index(unit_id)]} hoàn thành xuất sắc nhiệm vụ năm {year}, "
                        f"dẫn đầu phong trào thi đua của Khối với {score_of[unit_id]} điểm."
                    )
                    reason = decision = ""
                    decision_date = reviewer = None
                    if status == "closed":
                        nomination_status = "awarded"
                        decision = f"{100 + bloc_index % 800}/QĐ-UBND"
                        decision_date = dates["decision"]
                        reviewer = reviewer_ids[bloc_index % len(reviewer_ids)]
                    elif status == "conference":
                        nomination_status = "draft"
                    else:
                        nomination_status = ("submitted", "submitted", "accepted", "returned", "submitted")[
                            (bloc_index + slot) % 5
                        ]
                        if nomination_status in ("accepted", "returned"):
                            reviewer = reviewer_ids[bloc_index % len(reviewer_ids)]
                        if nomination_status == "returned":
                            reason = "Bổ sung báo cáo thành tích có xác nhận của cơ quan chủ quản."
                    nominations.row(
                        nomination_id,
                        campaign_id,
                        unit_id,
                        awards[award],
                        candidate_ids[candidate_index],
                        nomination_status,
                        summary,
                        1,
                        reason,
                        decision,
                        decision_date,
                        reviewer,
                        _ts(dates["dossier"], 9),
                        year,
                        bloc_name,
                        award_positions[award],
                        member_names[member_ids.index(unit_id)],
                    )
                    if nomination_status != "draft":
                        versions.row(
                            ids("nomination_version"),
                            nomination_id,
                            1,
                            summary,
                            "",
                            head_secretary,
                            _ts(dates["dossier"] - datetime.timedelta(days=3), 9),
                        )

                # The adopted report and the issued documents.
                narrative_id = ids("narrative")
                narratives.row(
                    narrative_id,
                    campaign_id,
                    1,
                    f"{n}/{n} đơn vị phát động và triển khai phong trào thi đua năm {year}.",
                    "Một số báo cáo gửi chậm so với quy định.",
                    "Phát huy vai trò của Khối trưởng trong phối hợp giữa các đơn vị.",
                    f"Tiếp tục đẩy mạnh phong trào thi đua năm {year + 1}.",
                    "Đề nghị Ban Thi đua – Khen thưởng hướng dẫn thống nhất bảng tiêu chí.",
                    True,
                    head_secretary,
                    _ts(dates["conference"], 14),
                )
                kinds = (
                    ["count_minutes"] if status == "conference" else ["report", "minutes", "count_minutes"]
                )
                if status != "conference":
                    kinds.append("request")
                used: dict[tuple[int, str], int] = {}
                for kind_ in kinds:
                    issued_on = (
                        dates["dossier"] - datetime.timedelta(days=10)
                        if kind_ == "request"
                        else dates["conference"]
                    )
                    type_code = TYPE_CODES[kind_]
                    key = (issued_on.year, type_code)
                    used[key] = used.get(key, 0) + 1
                    label = number_label(used[key], type_code, issuer)
                    documents.row(
                        ids("document"),
                        campaign_id,
                        kind_,
                        round_id if kind_ == "count_minutes" else None,
                        narrative_id if kind_ == "report" else None,
                        bloc_id,
                        issued_on.year,
                        type_code,
                        used[key],
                        1,
                        None,
                        issued_on,
                        _ts(issued_on, 16),
                        head_secretary,
                        {"number_label": label, "kind": kind_, "year": year, "generated_for_bench": True},
                        SHARED_PDF,
                        pdf_sha,
                    )
                for (issued_year, type_code), last in used.items():
                    counter_key = (bloc_id, issued_year, type_code)
                    counter_last[counter_key] = counter_last.get(counter_key, 0) + last
                previous_head, previous_conference_day = head, dates["conference"]
            if pending:
                conferences.row(*pending)
            if bloc_index == plan_bloc:
                head_unit = member_ids[(scale.years - 1) % n]
                other = next(u for u in member_ids if u not in (head_unit, member_ids[scale.years % n]))
                plan.update(
                    province_id=province_id,
                    bloc_id=bloc_id,
                    bloc_year_id=bloc_year_ids[last_year],
                    campaign_id=campaign_id,
                    round_id=round_id,
                    unit_id=other,
                    focal=f"canbo.{p_code.lower()}.{b + 1:02d}.{member_ids.index(other) + 1:02d}",
                    secretary=f"thuky.{p_code.lower()}.{b + 1:02d}.{member_ids.index(head_unit) + 1:02d}",
                    merit_award_id=awards[MERIT],
                )
            bloc_index += 1
        for writer in (provinces, units, blocs, slots, users):
            writer.flush()
        log(
            f"   province {p_index + 1}/{scale.provinces} ({p_name}) written, "
            f"{sum(copier.counts.values()) + len(lines.lines):,} rows so far, {time.monotonic() - started:.0f} s"
        )
    for (bloc_id, issued_year, type_code), last in counter_last.items():
        counters.row(ids("counter"), bloc_id, issued_year, type_code, last)
    for writer in (
        provinces,
        units,
        blocs,
        slots,
        bloc_years,
        memberships,
        handovers,
        users,
        campaigns,
        registrations,
        registration_titles,
        groups,
        criteria,
        sheets,
        lines,
        rules,
        conferences,
        attendances,
        rounds,
        round_awards,
        candidates,
        voters,
        ballots,
        choices,
        nominations,
        versions,
        narratives,
        counters,
        documents,
    ):
        writer.flush()
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
        for table in copier.counts:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                if table not in (Ballot._meta.db_table, BallotChoice._meta.db_table)
                else "SELECT 1"
            )
    raw.commit()
    raw.autocommit = True
    copied = time.monotonic() - started
    log(f"   {sum(copier.counts.values()):,} rows copied in {copied:.0f} s")
    # As finalising each sheet and opening each conference through the services would have: the sheets' figures
    # and the campaigns' standings stored (scoring.selectors).
    from scoring.selectors import freeze_sheet_figures

    began = time.monotonic()
    frozen = freeze_sheet_figures(ScoreSheet.objects.all())
    log(f"   figures of {frozen:,} final sheets stored in {time.monotonic() - began:.0f} s")
    began = time.monotonic()
    frozen = freeze_standings()
    log(
        f"   standings of {frozen:,} campaigns past their conference stored in {time.monotonic() - began:.0f} s"
    )
    log("   VACUUM ANALYZE")
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"counts": copier.counts, "plan": plan, "seconds": time.monotonic() - started}


# ---------------------------------------------------------------------------------------------------------------
# The database: kept when it holds the same dataset, else dropped, created, migrated and filled


def bench_database(url: str) -> dict:
    from thiduabloc.env import database_from_url

    db = database_from_url(url or "sqlite:///-", base_dir=BASE_DIR)
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        raise SystemExit(
            "DATABASE_URL must name a PostgreSQL database kept for the bench (its name containing 'bench'), "
            "e.g. postgres://postgres@127.0.0.1:5432/thiduabloc_bench: it is dropped and created again."
        )
    return db


def pg_connect(db: dict, dbname: str | None = None):
    import psycopg2

    return psycopg2.connect(
        dbname=dbname or db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )


def stored_dataset(db: dict) -> dict | None:
    """The marker the last complete generation left in the database, or None."""
    import psycopg2

    try:
        connection = pg_connect(db)
    except psycopg2.OperationalError:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(f"SELECT params, info FROM {MARKER_TABLE} ORDER BY created_at DESC LIMIT 1")
            row = cursor.fetchone()
            return {"params": row[0], **row[1]} if row else None
    finally:
        connection.close()


def _store_marker(db: dict, params: dict, info: dict) -> None:
    connection = pg_connect(db)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
                "(params jsonb NOT NULL, info jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
            )
            cursor.execute(
                f"INSERT INTO {MARKER_TABLE} (params, info) VALUES (%s, %s)",
                [json.dumps(params), json.dumps(info, default=str)],
            )
    finally:
        connection.close()


def freeze_standings() -> int:
    """The standings of every campaign past its conference (none to do when a reused dataset has them)."""
    from scoring.models import Campaign
    from scoring.selectors import freeze_standings as freeze

    return freeze(Campaign.objects.all())


def ensure_dataset(scale: Scale, *, fresh: bool = False, log=log_default) -> dict:
    """The dataset of ``scale`` in the database of DATABASE_URL: kept if already there, else generated."""
    db = bench_database(os.environ.get("DATABASE_URL", ""))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "bench" / "private"))
    stored = None if fresh else stored_dataset(db)
    reuse = stored is not None and stored["params"] == scale.params()
    if not reuse:
        log(f"== bench database {db['NAME']}: dropped and created again")
        pg_execute(
            db, f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)', f'CREATE DATABASE "{db["NAME"]}"'
        )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    began = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.monotonic() - began
    if reuse:
        log(
            f"== bench database {db['NAME']} already holds this dataset (generated in "
            f"{stored['seconds']:.0f} s); pending migrations applied; --fresh generates it again"
        )
        began = time.monotonic()
        frozen = freeze_standings()
        if frozen:
            log(
                f"   standings of {frozen:,} campaigns stored in {time.monotonic() - began:.0f} s (made before them)"
            )
        pdf_path = Path(settings.PRIVATE_MEDIA_ROOT) / SHARED_PDF
        if not pdf_path.exists():
            pdf_path.parent.mkdir(parents=True, exist_ok=True)
            pdf_path.write_bytes(shared_pdf())
        return stored | {"reused": True}
    log(f"== migrated in {migrated:.0f} s; generating {scale}")
    info = generate(scale, log=log)
    info["migrate_seconds"] = migrated
    info["generated_on"] = datetime.datetime.now(TZ).isoformat(timespec="seconds")
    _store_marker(db, scale.params(), info)
    log(f"== dataset generated in {info['seconds']:.0f} s (+ {migrated:.0f} s of migrations)")
    return {"params": scale.params(), **info, "reused": False}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provinces", type=int, default=Scale.provinces, help="provinces (34)")
    parser.add_argument(
        "--blocs-per-province", type=int, default=Scale.blocs_per_province, help="blocs in each province (40)"
    )
    parser.add_argument(
        "--years", type=int, default=Scale.years, help="years of history, one campaign each (5)"
    )
    parser.add_argument("--first-year", type=int, default=Scale.first_year, help="the first year (2021)")
    parser.add_argument("--fresh", action="store_true", help="generate again even if the dataset is there")
    parser.add_argument("--json", type=Path, help="write what was generated (counts, ids, users) here")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.provinces < 1 or args.blocs_per_province < 1 or args.years < 2:
        print("at least one province, one bloc and two years")
        return 2
    scale = Scale(args.provinces, args.blocs_per_province, args.years, args.first_year)
    info = ensure_dataset(scale, fresh=args.fresh)
    if args.json:
        args.json.write_text(json.dumps(info, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
