"""Demo campaigns, run through the same services as the app. Safe to load twice: an existing campaign is kept.

The demo bloc's 2022 figures are consistent with the news report of 28/12/2022 (DOMAIN.md §6): LH các Hội KH&KT
ranks first, LH các Tổ chức Hữu nghị and Hội Chữ thập đỏ next.
"""

import datetime
from decimal import Decimal

from blocs.models import Bloc, BlocYear, User
from scoring import conference, services
from scoring import nominations as nomination_services
from scoring.awards import ensure_award_types
from scoring.models import AwardType, Campaign, CriteriaGroup, Criterion, ScoreSheet, VoteRound
from scoring.services import GroupSpec, LineEntry

D = Decimal

CRITERIA = [
    GroupSpec(
        "I",
        "Công tác chính trị, tư tưởng",
        CriteriaGroup.Kind.SCORE,
        None,
        [
            (
                "1.1",
                "Quán triệt, triển khai các chủ trương của Đảng, chính sách, pháp luật của Nhà nước",
                D(5),
                "",
            ),
            ("1.2", "Thực hiện quy chế dân chủ ở cơ sở; không có đơn thư khiếu nại vượt cấp", D(5), ""),
            ("1.3", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", D(5), ""),
        ],
    ),
    GroupSpec(
        "II",
        "Thực hiện nhiệm vụ chuyên môn của đơn vị",
        CriteriaGroup.Kind.SCORE,
        None,
        [
            (
                "2.1",
                "Hoàn thành các chỉ tiêu, nhiệm vụ được giao trong năm",
                D(15),
                "Trừ 0,5 điểm mỗi chỉ tiêu chưa đạt.",
            ),
            ("2.2", "Triển khai chương trình, kế hoạch công tác năm đúng tiến độ", D(10), ""),
            ("2.3", "Phát triển hội viên, tổ chức thành viên", D(10), ""),
            ("2.4", "Ứng dụng công nghệ thông tin, cải cách hành chính", D(5), ""),
        ],
    ),
    GroupSpec(
        "III",
        "Công tác thi đua, khen thưởng",
        CriteriaGroup.Kind.SCORE,
        None,
        [
            ("3.1", "Phát động, tổ chức phong trào thi đua thường xuyên và theo chuyên đề", D(5), ""),
            ("3.2", "Đăng ký thi đua, ký kết giao ước đầy đủ, đúng thời gian", D(5), ""),
            ("3.3", "Sơ kết, tổng kết, phát hiện và nhân rộng điển hình tiên tiến", D(5), ""),
            ("3.4", "Báo cáo công tác thi đua, khen thưởng đúng hạn, đầy đủ", D(5), ""),
        ],
    ),
    GroupSpec(
        "IV",
        "Xây dựng tổ chức, bộ máy",
        CriteriaGroup.Kind.SCORE,
        None,
        [
            ("4.1", "Xây dựng tổ chức Đảng, đoàn thể trong sạch, vững mạnh", D(5), ""),
            ("4.2", "Thực hành tiết kiệm, chống lãng phí; phòng, chống tham nhũng", D(5), ""),
            ("4.3", "Đào tạo, bồi dưỡng, nâng cao trình độ cán bộ", D(5), ""),
        ],
    ),
    GroupSpec(
        "V",
        "Hoạt động chung của Khối",
        CriteriaGroup.Kind.SCORE,
        None,
        [
            ("5.1", "Tham gia đầy đủ các hoạt động, hội nghị của Khối", D(5), ""),
            ("5.2", "Phối hợp, hỗ trợ các đơn vị trong Khối", D(5), ""),
        ],
    ),
    GroupSpec(
        "VI",
        "Điểm cộng",
        CriteriaGroup.Kind.BONUS,
        D(5),
        [
            ("6.1", "Có mô hình mới, cách làm hay được cấp có thẩm quyền ghi nhận", D(3), ""),
            ("6.2", "Được tặng bằng khen, giấy khen cấp Bộ, ngành, thành phố trong năm", D(2), ""),
        ],
    ),
    GroupSpec(
        "VII",
        "Điểm trừ",
        CriteriaGroup.Kind.DEDUCTION,
        D(10),
        [
            ("7.1", "Gửi báo cáo chậm so với quy định (mỗi lần trừ 0,5 điểm)", D(5), ""),
            ("7.2", "Không tham gia hoạt động chung của Khối mà không có lý do", D(5), ""),
        ],
    ),
    GroupSpec(
        "VIII",
        "Tiêu chí loại trừ",
        CriteriaGroup.Kind.KNOCKOUT,
        None,
        [
            ("8.1", "Có tập thể, cá nhân bị kỷ luật từ hình thức cảnh cáo trở lên trong năm", D(0), ""),
            (
                "8.2",
                "Đang bị thanh tra, kiểm tra có dấu hiệu vi phạm hoặc có đơn thư đang xác minh",
                D(0),
                "",
            ),
        ],
    ),
]

# Reviewed scores of the demo bloc in 2022, as points lost on scored criteria, bonus and deduction points; then
# self scores where the unit scored itself higher and the reviewer's reason.
SCORES_2022 = {
    "LHH": ({"2.1": D("1"), "2.3": D("0.5"), "4.3": D("0.5")}, {"6.1": D(3), "6.2": D(1)}, {}),
    "LHHN": (
        {"2.1": D("1"), "2.2": D("0.5"), "4.3": D("0.25")},
        {"6.1": D(2), "6.2": D(1)},
        {"7.1": D("0.5")},
    ),
    "CTĐ": (
        {"2.1": D("1"), "2.3": D("1"), "3.3": D("0.5"), "4.3": D("0.5")},
        {"6.1": D(2), "6.2": D(1)},
        {"7.1": D("0.5")},
    ),
    "VHNT": (
        {"2.1": D("2"), "2.2": D("1"), "2.3": D("1"), "3.3": D("0.5"), "5.2": D("0.5")},
        {"6.2": D(1)},
        {"7.1": D("1")},
    ),
    "LMHTX": (
        {"1.2": D("0.5"), "2.1": D("2.5"), "2.2": D("1"), "2.4": D("0.5"), "3.4": D("0.5"), "4.3": D("0.5")},
        {"6.2": D(1)},
        {"7.1": D("1")},
    ),
}
SELF_HIGHER_2022 = {
    "LHHN": ("2.1", D("15"), "Còn 2 chỉ tiêu phát triển tổ chức thành viên chưa đạt theo đăng ký."),
    "CTĐ": ("2.3", D("10"), "Số hội viên mới thấp hơn chỉ tiêu đăng ký 8%."),
    "LMHTX": ("2.1", D("14"), "Chỉ tiêu thành lập hợp tác xã mới đạt 70% kế hoạch."),
}


def _dates(year: int) -> dict:
    return {
        "launch_date": datetime.date(year, 3, 10),
        "covenant_date": datetime.date(year, 3, 24),
        "midyear_review_date": datetime.date(year, 7, 20),
        "scoring_deadline": datetime.date(year, 12, 10),
        "conference_date": datetime.date(year, 12, 28),
        "dossier_deadline": datetime.date(year + 1, 1, 15),
    }


def _reviewed_scores(criteria: list[Criterion], plan) -> dict[str, Decimal]:
    lost, bonus, deduction = plan
    scores = {}
    for c in criteria:
        kind = c.group.kind
        if kind == CriteriaGroup.Kind.SCORE:
            scores[c.code] = c.max_score - lost.get(c.code, D(0))
        elif kind == CriteriaGroup.Kind.BONUS:
            scores[c.code] = bonus.get(c.code, D(0))
        elif kind == CriteriaGroup.Kind.DEDUCTION:
            scores[c.code] = deduction.get(c.code, D(0))
    return scores


def _generic_plan(index: int) -> tuple[dict, dict, dict]:
    """Deterministic, distinct figures for the units of the other demo blocs."""
    lost = {"2.1": D("0.5") * (index + 1), "3.3": D("0.25") * (index % 3), "4.3": D("0.5")}
    return lost, {"6.2": D(1)} if index % 2 == 0 else {}, {"7.1": D("0.5")} if index % 3 == 2 else {}


def _prepare(bloc_year: BlocYear, *, copy_from_previous: bool) -> Campaign:
    campaign = services.campaign_create(actor=None, bloc_year=bloc_year, **_dates(bloc_year.year))
    if copy_from_previous and services.previous_campaign(campaign):
        services.criteria_copy_previous(actor=None, campaign=campaign)
    else:
        services.criteria_import(actor=None, campaign=campaign, specs=CRITERIA)
    return campaign


def _launch_and_sign(campaign: Campaign, *, register_only: int | None = None) -> Campaign:
    campaign = services.campaign_advance(actor=None, campaign=campaign, verb="launch")
    titles = list(AwardType.objects.filter(code__in=["co-thi-dua-ubnd", "tap-the-lao-dong-xuat-sac"]))
    members = list(campaign.bloc_year.memberships.select_related("unit"))
    for membership in members[:register_only]:
        services.registration_save(
            actor=None,
            campaign=campaign,
            unit=membership.unit,
            targets=(
                f"Hoàn thành 100% chương trình công tác năm {campaign.bloc_year.year}; "
                "phát triển hội viên, tổ chức thành viên theo kế hoạch; "
                "tham gia đầy đủ các hoạt động chung của Khối."
            ),
            titles=titles,
        )
    if register_only is not None:
        return campaign
    services.covenant_sign(
        actor=None,
        campaign=campaign,
        signed_on=campaign.covenant_date,
        place=f"Hội trường {campaign.bloc_year.head.name}",
        signatories="\n".join(
            f"{m.unit.head_name}, {m.unit.head_title} {m.unit.name}".strip(", ") for m in members
        ),
    )
    return services.campaign_advance(actor=None, campaign=campaign, verb="open_scoring")


def _fill(
    sheet: ScoreSheet, criteria: list[Criterion], reviewed: dict[str, Decimal], self_higher=None
) -> None:
    entries = {}
    for c in criteria:
        if c.group.is_knockout:
            entries[c.pk] = LineEntry(violation=False)
        else:
            score = reviewed[c.code]
            if self_higher and self_higher[0] == c.code:
                score = self_higher[1]
            entries[c.pk] = LineEntry(score=score, comment="Có báo cáo kèm theo." if c.code == "2.1" else "")
    sheet.refresh_from_db()
    services.score_sheet_save(actor=None, sheet=sheet, entries=entries, expected_version=sheet.version)


def _review(
    sheet: ScoreSheet, criteria: list[Criterion], reviewed: dict[str, Decimal], self_higher=None
) -> None:
    if self_higher:
        criterion = next(c for c in criteria if c.code == self_higher[0])
        line = sheet.lines.get(criterion=criterion)
        services.score_line_review(
            actor=None,
            sheet=sheet,
            criterion=criterion,
            score=reviewed[criterion.code],
            reason=self_higher[2],
            expected_version=line.version,
        )
    services.score_sheet_finalize(actor=None, sheet=sheet)


def _score_all(campaign: Campaign, plans: dict[str, tuple], self_higher: dict) -> None:
    criteria = list(Criterion.objects.filter(group__campaign=campaign).select_related("group"))
    for sheet in campaign.sheets.select_related("unit"):
        reviewed = _reviewed_scores(criteria, plans[sheet.unit.abbreviation])
        _fill(sheet, criteria, reviewed, self_higher.get(sheet.unit.abbreviation))
        services.score_sheet_submit(actor=None, sheet=sheet)
        _review(sheet, criteria, reviewed, self_higher.get(sheet.unit.abbreviation))


def _hold_conference(
    campaign: Campaign, *, record: dict, tellers: list[User], approvals=None, summaries=None
) -> None:
    """Record the conference with every member present, hand the head role on, and vote on paper: two tellers
    enter the same counts. ``approvals`` maps award codes to {unit abbreviation: approvals}; by default every
    present unit approves the best-ranked candidates up to the seats."""
    members = [m.unit for m in campaign.bloc_year.memberships.select_related("unit")]
    record_fields = {
        "held_on": campaign.conference_date,
        "starts_at": datetime.time(8, 0),
        "ends_at": datetime.time(11, 30),
        "guests": "",
        **record,
    }
    conference_record = conference.conference_save(
        actor=None,
        campaign=campaign,
        attendances=[(u, f"{u.head_name}, {u.head_title}") for u in members],
        **record_fields,
    )
    conference.conference_adopt(actor=None, conference=conference_record, report=True, direction=True)
    conference.conference_handover(
        actor=None, conference=conference_record, handed_over_on=campaign.conference_date
    )
    method = VoteRound.Method.ELECTRONIC if not tellers else VoteRound.Method.PAPER
    vote_round = conference.round_create(actor=None, conference=conference_record, method=method)
    vote_round = conference.round_open(actor=None, vote_round=vote_round)
    if not tellers:
        return  # left open: delegates vote in the browser
    present = len(members)
    counts = {"issued": present, "returned": present, "awards": {}}
    for award in vote_round.awards.select_related("rule__award_type").prefetch_related("candidates__unit"):
        candidates = sorted(award.candidates.all(), key=lambda c: c.rank)
        given = (approvals or {}).get(award.rule.award_type.code)
        counts["awards"][str(award.pk)] = {
            "valid": present,
            "invalid": 0,
            "approvals": {
                str(c.pk): given.get(c.unit.abbreviation, 0) if given else (present if i < award.seats else 0)
                for i, c in enumerate(candidates)
            },
        }
    for teller in tellers:
        conference.paper_entry_save(actor=teller, vote_round=vote_round, counts=counts)
    conference.round_close(actor=tellers[0], vote_round=vote_round)
    for nomination in campaign.nominations.select_related("unit", "award_type"):
        text = (summaries or {}).get(nomination.unit.abbreviation) or (
            f"{nomination.unit.name} hoàn thành xuất sắc nhiệm vụ năm {campaign.bloc_year.year}, "
            "dẫn đầu các phong trào thi đua của Khối; tổ chức tốt các hoạt động chuyên môn và công tác "
            "xây dựng tổ chức; không có cá nhân, tập thể vi phạm kỷ luật."
        )
        nomination_services.nomination_save_summary(
            actor=None, nomination=nomination, summary=text, expected_version=nomination.version
        )


def _finished_campaign(
    bloc_year: BlocYear,
    plans,
    self_higher,
    until: str,
    *,
    record: dict,
    tellers: list[User],
    approvals=None,
    summaries=None,
) -> Campaign:
    campaign = _launch_and_sign(_prepare(bloc_year, copy_from_previous=False))
    _score_all(campaign, plans, self_higher)
    campaign = services.campaign_advance(actor=None, campaign=campaign, verb="open_conference")
    _hold_conference(campaign, record=record, tellers=tellers, approvals=approvals, summaries=summaries)
    if not tellers:
        return campaign
    reviewer = User.objects.get(username="bantdkt")
    for verb in ("submit", "decide", "close"):
        if campaign.status == until:
            break
        if verb == "decide":
            for number, nomination in enumerate(campaign.nominations.all(), start=1):
                nomination_services.nomination_accept(actor=reviewer, nomination=nomination)
                nomination_services.nomination_decide(
                    actor=reviewer,
                    nomination=nomination,
                    decision_number=f"{120 + number}/QĐ-UBND",
                    decision_date=datetime.date(bloc_year.year + 1, 2, 20),
                    awarded=True,
                )
        campaign = services.campaign_advance(actor=None, campaign=campaign, verb=verb)
    return campaign


def _demo_bloc_2023(bloc_year: BlocYear) -> None:
    """In progress: one sheet final, the head's own sheet waiting for the deputy, one returned, two drafts."""
    campaign = _launch_and_sign(_prepare(bloc_year, copy_from_previous=True))
    criteria = list(Criterion.objects.filter(group__campaign=campaign).select_related("group"))
    sheets = {s.unit.abbreviation: s for s in campaign.sheets.select_related("unit")}
    plans = {abbr: _generic_plan(i) for i, abbr in enumerate(sorted(sheets))}

    reviewed = _reviewed_scores(criteria, plans["LHH"])
    _fill(sheets["LHH"], criteria, reviewed)
    services.score_sheet_submit(actor=None, sheet=sheets["LHH"])
    _review(sheets["LHH"], criteria, reviewed)

    _fill(sheets["LHHN"], criteria, _reviewed_scores(criteria, plans["LHHN"]))
    services.score_sheet_submit(actor=None, sheet=sheets["LHHN"])

    _fill(sheets["CTĐ"], criteria, _reviewed_scores(criteria, plans["CTĐ"]))
    services.score_sheet_submit(actor=None, sheet=sheets["CTĐ"])
    services.score_sheet_return(
        actor=None,
        sheet=sheets["CTĐ"],
        comment="Bổ sung minh chứng cho tiêu chí 2.3 (số hội viên mới) và tiêu chí 6.1.",
    )

    partial = {c.pk: LineEntry(score=c.max_score) for c in criteria if c.group.code in ("I", "II")}
    sheets["VHNT"].refresh_from_db()
    services.score_sheet_save(actor=None, sheet=sheets["VHNT"], entries=partial, expected_version=0)


# The paper round of 28/12/2022: five units present; the flag to LH các Hội KH&KT, Bằng khen to LH các Tổ chức
# Hữu nghị and Hội Chữ thập đỏ (each ≥ 70 % of the five members), not to LH các Hội VHNT.
APPROVALS_2022 = {
    "co-thi-dua-ubnd": {"LHH": 5},
    "bang-khen-chu-tich-ubnd": {"LHHN": 5, "CTĐ": 4, "VHNT": 1},
}
SUMMARIES_2022 = {
    "LHH": (
        "Năm 2022, Liên hiệp các Hội Khoa học và Kỹ thuật thành phố hoàn thành 100% chỉ tiêu đăng ký; tổ chức "
        "Hội thi Sáng tạo kỹ thuật thành phố lần thứ X với 86 giải pháp dự thi; tư vấn, phản biện 12 đề án của "
        "thành phố; phát triển thêm 3 hội thành viên. Dẫn đầu Khối thi đua các Hội có tính chất đặc thù số 1."
    ),
    "LHHN": (
        "Năm 2022, Liên hiệp các Tổ chức Hữu nghị thành phố tổ chức 24 hoạt động đối ngoại nhân dân, vận động "
        "viện trợ phi chính phủ đạt 115% kế hoạch; hoàn thành tốt nhiệm vụ Khối phó."
    ),
    "CTĐ": (
        "Năm 2022, Hội Chữ thập đỏ thành phố vận động hơn 18 tỷ đồng cho công tác nhân đạo, tổ chức 42 đợt hiến "
        "máu tình nguyện với 12.500 đơn vị máu; hoàn thành tốt nhiệm vụ Khối trưởng năm 2021."
    ),
}


def load_scoring_demo() -> None:
    ensure_award_types()
    demo = Bloc.objects.get(province__code="CT", kind=Bloc.Kind.KHOI, number=1)
    years = {by.year: by for by in demo.years.prefetch_related("memberships__unit")}
    if not hasattr(years[2022], "campaign"):
        _finished_campaign(
            years[2022],
            SCORES_2022,
            SELF_HIGHER_2022,
            until=Campaign.Status.SUBMITTED,
            record={
                "place": "Hội trường Liên hiệp các Tổ chức Hữu nghị thành phố Cần Thơ",
                "chair": "Ông Nguyễn Văn Bình, Chủ tịch Liên hiệp các Hội Khoa học và Kỹ thuật thành phố, Khối trưởng",
                "secretary": "Bà Đinh Thị Mai, chuyên viên Liên hiệp các Hội Khoa học và Kỹ thuật thành phố",
                "guests": "Phó Trưởng Ban Thi đua – Khen thưởng thành phố Cần Thơ",
            },
            tellers=list(
                User.objects.filter(username__in=["thuky.khkt", "thuky.huunghi"]).order_by("username")
            ),
            approvals=APPROVALS_2022,
            summaries=SUMMARIES_2022,
        )
    if not hasattr(years[2023], "campaign"):
        _demo_bloc_2023(years[2023])

    # Other blocs, so that every state can be seen: bloc 2 closed 2021, is voting electronically at its 2022
    # conference and has launched 2023; bloc 5 has its 2022 decisions and a 2023 draft.
    for number, year, until, teller in (
        (2, 2021, Campaign.Status.CLOSED, "thuky.luatgia"),
        (2, 2022, Campaign.Status.CONFERENCE, None),
        (5, 2022, Campaign.Status.DECIDED, "thuky.vhttdl"),
    ):
        bloc_year = BlocYear.objects.prefetch_related("memberships__unit").get(
            bloc__province__code="CT", bloc__kind=Bloc.Kind.KHOI, bloc__number=number, year=year
        )
        if hasattr(bloc_year, "campaign"):
            continue
        abbreviations = sorted(m.unit.abbreviation for m in bloc_year.memberships.all())
        head = bloc_year.head
        _finished_campaign(
            bloc_year,
            {abbr: _generic_plan(i) for i, abbr in enumerate(abbreviations)},
            {},
            until=until,
            record={
                "place": f"Hội trường {head.name}",
                "chair": f"{head.head_name}, {head.head_title} {head.name}, Khối trưởng",
                "secretary": f"Cán bộ {head.name}",
            },
            tellers=[User.objects.get(username=teller), User.objects.get(username="quantri")]
            if teller
            else [],
        )
    for number, state in ((2, "launched"), (5, "draft")):
        bloc_year = BlocYear.objects.prefetch_related("memberships__unit").get(
            bloc__province__code="CT", bloc__kind=Bloc.Kind.KHOI, bloc__number=number, year=2023
        )
        if not hasattr(bloc_year, "campaign"):
            campaign = _prepare(bloc_year, copy_from_previous=True)
            if state == "launched":
                _launch_and_sign(campaign, register_only=3)
