"""The figures a document shows, gathered once into plain data (a "snapshot").

Previews render a fresh snapshot; issuing stores it with the document, so an issued document never changes when
the data does. Everything in a snapshot is a string, number, bool, list or dict (JSON), already formatted the
way Vietnamese official documents write it.

The documents are Vietnamese whatever language the user reads the site in: `build` makes the snapshot with
Vietnamese active, so labels translated for the web (section headings, choice displays) come out in Vietnamese.
Only the reasons a document cannot be made yet (`missing`, `NotReady`) are in the user's language.
"""

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import richtext
from reports.models import Document, Narrative
from scoring.charts import Bar, bar_chart_svg
from scoring.models import Campaign, Conference, VoteRound
from scoring.selectors import campaign_summary
from scoring.services import format_score
from scoring.tally import Threshold, format_fraction

Kind = Document.Kind

TYPE_CODES = {
    Kind.REPORT: "BC",
    Kind.MINUTES: "BB",
    Kind.COUNT_MINUTES: "BB",
    Kind.REQUEST: "TTr",
    Kind.SCORE_TABLE: "BTH",
    Kind.COVENANT: "GƯ",
}


class NotReady(Exception):
    """The document cannot be made yet; the message says what is missing."""


def vn_date(day: datetime.date) -> str:
    """ "ngày 05 tháng 01 năm 2023": the day on two digits, months 1 and 2 on two digits (Decree 30)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def number_label(number: int | None, type_code: str, issuer_code: str) -> str:
    shown = f"{number:02d}" if number else "\u2003\u2003"
    return f"Số: {shown}/{type_code}-{issuer_code}"


def _unit_post(unit) -> str:
    return f"{unit.head_title} {unit.name}".strip() if unit.head_title else unit.name


def _base(campaign: Campaign, kind: str, *, number: int | None, issued_on: datetime.date) -> dict:
    bloc_year = campaign.bloc_year
    bloc = bloc_year.bloc
    head = bloc_year.head
    province = bloc.province
    return {
        "kind": kind,
        "draft": number is None,
        "type_code": TYPE_CODES[kind],
        "number_label": number_label(number, TYPE_CODES[kind], bloc.issuer_code),
        "parent_body": f"Hội đồng Thi đua – Khen thưởng {province.prose_name}".upper(),
        "issuer": bloc.name.upper(),
        "place_date": f"{province.name}, {vn_date(issued_on)}",
        "issued_on": issued_on.isoformat(),
        "year": bloc_year.year,
        "bloc_name": bloc.name,
        "province": province.prose_name,
        "landscape": False,
        "signature": {
            "on_behalf": f"TM. {bloc.name.upper()}",
            "post": "KHỐI TRƯỞNG" if bloc.kind == bloc.Kind.KHOI else "CỤM TRƯỞNG",
            "unit_post": _unit_post(head).upper() if head else "",
            "name": head.head_name if head else "",
        },
        "recipients": [
            f"Ban Thi đua – Khen thưởng {province.prose_name}",
            f"Các đơn vị thành viên {bloc.name}",
            "Lưu: VT.",
        ],
    }


def _members(campaign: Campaign) -> list[dict]:
    return [
        {
            "name": m.unit.name,
            "short_name": m.unit.short_name,
            "role": m.get_role_display(),
            "role_code": m.role,
        }
        for m in sorted(
            campaign.bloc_year.memberships.all(),
            key=lambda m: (m.role != "head", m.role != "deputy", m.unit.name),
        )
    ]


def _summary_block(campaign: Campaign) -> dict:
    summary = campaign_summary(campaign)
    groups = [
        {
            "code": g.code,
            "title": g.title,
            "kind": g.kind,
            "max": format_score(g.max_total if g.kind == "score" else g.cap),
        }
        for g in summary.groups
        if g.kind != "knockout"
    ]
    rows = []
    for number, row in enumerate(summary.rows, start=1):
        rows.append(
            {
                "number": number,
                "unit": row.unit.name,
                "groups": [
                    {
                        "self": format_score(row.self_totals.by_group[g.id]),
                        "reviewed": format_score(row.reviewed_totals.by_group[g.id]),
                    }
                    for g in summary.groups
                    if g.kind != "knockout"
                ],
                "self_total": format_score(row.self_totals.total),
                "reviewed_total": format_score(row.reviewed_totals.total),
                "eligible": row.reviewed_totals.eligible,
                "rank": row.rank,
                "final": row.is_final,
                "full_marks": row.full_marks,
            }
        )
    bars = [
        Bar(label=r.unit.name, value=r.reviewed_totals.total, muted=not r.reviewed_totals.eligible)
        for r in summary.rows
        if r.is_final
    ]
    return {
        "groups": groups,
        "rows": rows,
        "total_max": format_score(summary.total_max),
        "all_final": summary.all_final,
        "chart": str(
            bar_chart_svg(
                bars,
                max_value=summary.total_max,
                title="Điểm thẩm định của các đơn vị",
                chart_id="bieu-do-diem",
                font_family="Thidua Serif, serif",
            )
        )
        if bars
        else "",
        "tie_break": campaign.get_tie_break_display(),
    }


def _round_block(vote_round: VoteRound) -> dict:
    awards = []
    for award in vote_round.awards.select_related("rule__award_type").prefetch_related("candidates__unit"):
        rule = award.rule
        awards.append(
            {
                "award": rule.award_type.name,
                "seats": award.seats,
                "valid": award.valid,
                "invalid": award.invalid,
                "basis": award.basis_count,
                "threshold": Threshold(
                    rule.threshold_share, rule.threshold_strict, rule.threshold_basis
                ).describe(),
                "candidates": [
                    {
                        "unit": c.unit.name,
                        "rank": c.rank,
                        "score": format_score(c.final_score),
                        "approvals": c.approvals,
                        "share": format_fraction(c.share) if c.share is not None else "",
                        "percent": f"{float(c.share) * 100:.1f}".replace(".", ",")
                        if c.share is not None
                        else "",
                        "passed": c.passed,
                        "elected": c.elected,
                        "runoff": c.runoff,
                    }
                    for c in award.candidates.all()
                ],
            }
        )
    return {
        "number": vote_round.number,
        "runoff_of": vote_round.runoff_of.number if vote_round.runoff_of_id else None,
        "method": "phiếu giấy" if vote_round.method == VoteRound.Method.PAPER else "bỏ phiếu điện tử",
        "members": vote_round.members_count,
        "present": vote_round.present_count,
        "entitled": vote_round.entitled_count,
        "issued": vote_round.ballots_issued,
        "returned": vote_round.ballots_returned,
        "closed_at": timezone.localtime(vote_round.closed_at).strftime("%H giờ %M, %d/%m/%Y")
        if vote_round.closed_at
        else "",
        "awards": awards,
    }


def _nominations(campaign: Campaign) -> list[dict]:
    return [
        {
            "award": n.award_type.name,
            "unit": n.unit.name,
            "score": format_score(n.candidate.final_score),
            "rank": n.candidate.rank,
            "approvals": n.candidate.approvals,
            "basis": n.candidate.round_award.basis_count,
            "summary": n.summary,
            "status": n.get_status_display(),
        }
        for n in campaign.nominations.select_related("unit", "award_type", "candidate__round_award").order_by(
            "award_type__position", "unit__name"
        )
    ]


def _conference(campaign: Campaign) -> Conference:
    conference = Conference.objects.filter(campaign=campaign).select_related("handover").first()
    if conference is None:
        # Lazy: raised while Vietnamese is active (in `build`), read in the user's language.
        raise NotReady(gettext_lazy("Chưa có biên bản hội nghị tổng kết."))
    return conference


def _closed_rounds(conference: Conference) -> list[VoteRound]:
    return list(conference.rounds.filter(status=VoteRound.Status.CLOSED).order_by("number"))


def _next_year(campaign: Campaign) -> dict | None:
    next_year = (
        campaign.bloc_year.bloc.years.filter(year=campaign.bloc_year.year + 1)
        .prefetch_related("memberships__unit")
        .first()
    )
    if next_year is None:
        return None
    return {
        "year": next_year.year,
        "head": next_year.head.name if next_year.head else "",
        "deputy": next_year.deputy.name if next_year.deputy else "",
    }


def _narrative(campaign: Campaign, narrative: Narrative | None) -> dict:
    narrative = narrative or campaign.narratives.filter(adopted=True).first() or campaign.narratives.first()
    sections = {}
    for field, label in Narrative.SECTIONS:
        source = getattr(narrative, field) if narrative else ""
        sections[field] = {"label": str(label), "html": str(richtext.to_html(source)), "source": source}
    return {
        "sections": sections,
        "version": narrative.number if narrative else None,
        "adopted": narrative.adopted if narrative else False,
    }


def report_snapshot(campaign: Campaign, base: dict, narrative: Narrative | None = None) -> dict:
    year = campaign.bloc_year.year
    members = _members(campaign)
    registered = campaign.registrations.count()
    summary = _summary_block(campaign)
    conference = Conference.objects.filter(campaign=campaign).first()
    rounds = [_round_block(r) for r in _closed_rounds(conference)] if conference else []
    carried_out = sum(1 for r in summary["rows"] if r["final"])
    return {
        **base,
        "title": "BÁO CÁO",
        "subject": f"Tổng kết công tác thi đua năm {year} và phương hướng, nhiệm vụ năm {year + 1}",
        "members": members,
        "member_count": len(members),
        "head": next((m["name"] for m in members if m["role_code"] == "head"), ""),
        "deputy": next((m["name"] for m in members if m["role_code"] == "deputy"), ""),
        "covenant": {
            "signed_on": vn_date(campaign.covenant_signed_on) if campaign.covenant_signed_on else "",
            "place": campaign.covenant_place,
            "registered": registered,
        },
        "launch_date": vn_date(campaign.launch_date) if campaign.launch_date else "",
        "carried_out": f"{carried_out}/{len(members)}",
        "summary": summary,
        "rounds": rounds,
        "nominations": _nominations(campaign),
        "next_year": _next_year(campaign),
        "narrative": _narrative(campaign, narrative),
    }


def minutes_snapshot(campaign: Campaign, base: dict) -> dict:
    conference = _conference(campaign)
    attendances = list(conference.attendances.select_related("unit").order_by("unit__name"))
    members = len(campaign.bloc_year.memberships.all())
    chair_name = conference.chair.split(",")[0].replace("Ông ", "").replace("Bà ", "").strip()
    secretary_name = conference.secretary.split(",")[0].replace("Ông ", "").replace("Bà ", "").strip()
    year = campaign.bloc_year.year
    return {
        **base,
        "title": "BIÊN BẢN",
        "subject": f"Hội nghị tổng kết công tác thi đua năm {year}",
        "held": f"Vào lúc {conference.starts_at:%H} giờ {conference.starts_at:%M}, {vn_date(conference.held_on)}",
        "place": conference.place,
        "chair": conference.chair,
        "secretary": conference.secretary,
        "guests": [g.strip() for g in conference.guests.splitlines() if g.strip()],
        "present": [{"unit": a.unit.name, "delegate": a.delegate} for a in attendances],
        "present_count": f"{len(attendances)}/{members}",
        "report_adopted": conference.report_adopted,
        "direction_adopted": conference.direction_adopted,
        "handover": {
            "from": conference.handover.from_unit.name,
            "to": conference.handover.to_unit.name,
            "date": vn_date(conference.handover.handed_over_on),
        }
        if conference.handover
        else None,
        "next_year": _next_year(campaign),
        "rounds": [_round_block(r) for r in _closed_rounds(conference)],
        "nominations": _nominations(campaign),
        "ended": f"{conference.ends_at:%H} giờ {conference.ends_at:%M}" if conference.ends_at else "",
        "minutes_signature": {"secretary": secretary_name, "chair": chair_name},
        "place_date": "",  # minutes carry no date line in the header
    }


def count_minutes_snapshot(campaign: Campaign, base: dict, vote_round: VoteRound) -> dict:
    conference = _conference(campaign)
    chair_name = conference.chair.split(",")[0].replace("Ông ", "").replace("Bà ", "").strip()
    secretary_name = conference.secretary.split(",")[0].replace("Ông ", "").replace("Bà ", "").strip()
    return {
        **base,
        "title": "BIÊN BẢN",
        "subject": f"Kiểm phiếu bình xét khen thưởng năm {campaign.bloc_year.year} – vòng {vote_round.number}",
        "held": vn_date(conference.held_on),
        "place": conference.place,
        "round": _round_block(vote_round),
        "minutes_signature": {"secretary": secretary_name, "chair": chair_name},
        "place_date": "",
    }


def request_snapshot(campaign: Campaign, base: dict) -> dict:
    nominations = _nominations(campaign)
    conference = _conference(campaign)
    province = campaign.bloc_year.bloc.province
    year = campaign.bloc_year.year
    return {
        **base,
        "title": "TỜ TRÌNH",
        "subject": f"Về việc đề nghị khen thưởng năm {year}",
        "to": f"Hội đồng Thi đua – Khen thưởng {province.prose_name}",
        "via": f"Ban Thi đua – Khen thưởng {province.prose_name}",
        "basis": [
            "Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022",
            "Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết một số điều của Luật Thi đua, khen thưởng",
            f"Kết quả chấm điểm, bình xét và bỏ phiếu tại Hội nghị tổng kết công tác thi đua năm {year} của "
            f"{campaign.bloc_year.bloc.name}, {vn_date(conference.held_on)}",
        ],
        "member_count": len(campaign.bloc_year.memberships.all()),
        "nominations": nominations,
        "attachments": [
            "Biên bản hội nghị tổng kết và biên bản kiểm phiếu",
            "Bảng tổng hợp điểm thi đua",
            "Báo cáo thành tích của các đơn vị được đề nghị",
        ],
        "recipients": ["Như trên", f"Ban Thi đua – Khen thưởng {province.prose_name}", "Lưu: VT."],
    }


def score_table_snapshot(campaign: Campaign, base: dict) -> dict:
    return {
        **base,
        "title": "BẢNG TỔNG HỢP ĐIỂM",
        "subject": f"Kết quả chấm điểm thi đua năm {campaign.bloc_year.year}",
        "landscape": True,
        "summary": _summary_block(campaign),
    }


def covenant_snapshot(campaign: Campaign, base: dict) -> dict:
    registrations = list(
        campaign.registrations.select_related("unit").prefetch_related("titles").order_by("unit__name")
    )
    members = [m.unit for m in campaign.bloc_year.memberships.all()]
    return {
        **base,
        "title": "BẢN GIAO ƯỚC THI ĐUA",
        "subject": f"Năm {campaign.bloc_year.year}",
        "signed": f"{campaign.covenant_place}, {vn_date(campaign.covenant_signed_on)}",
        "place_date": f"{campaign.bloc_year.bloc.province.name}, {vn_date(campaign.covenant_signed_on)}",
        "registrations": [
            {
                "unit": r.unit.name,
                "targets": r.targets,
                "titles": "; ".join(t.name for t in r.titles.all()),
            }
            for r in registrations
        ],
        "signatories": [
            {"unit": u.name.upper(), "post": (u.head_title or "Thủ trưởng").upper(), "name": u.head_name}
            for u in sorted(members, key=lambda u: u.name)
        ],
    }


def missing(campaign: Campaign, kind: str, vote_round: VoteRound | None = None) -> str:
    """Why ``kind`` cannot be made yet for ``campaign``, in words; empty when it can."""
    if kind == Kind.REPORT and not campaign.is_at_least(Campaign.Status.CONFERENCE):
        return _("Báo cáo tổng kết được lập khi phong trào đến bước hội nghị tổng kết.")
    if (
        kind in (Kind.MINUTES, Kind.COUNT_MINUTES, Kind.REQUEST)
        and not Conference.objects.filter(campaign=campaign).exists()
    ):
        return _("Chưa có biên bản hội nghị tổng kết.")
    if kind == Kind.COUNT_MINUTES and (
        vote_round is None
        or vote_round.conference.campaign_id != campaign.pk
        or vote_round.status != VoteRound.Status.CLOSED
    ):
        return _("Biên bản kiểm phiếu được lập khi vòng bỏ phiếu đã kết thúc.")
    if kind == Kind.REQUEST and not campaign.nominations.exists():
        return _("Chưa có đơn vị được đề nghị khen thưởng.")
    if kind == Kind.SCORE_TABLE and not campaign.is_at_least(Campaign.Status.SCORING):
        return _("Bảng tổng hợp điểm có khi phong trào đã mở chấm điểm.")
    if kind == Kind.COVENANT and not campaign.covenant_signed:
        return _("Giao ước thi đua chưa được ký.")
    if kind not in Kind.values:
        return _("Loại văn bản không hợp lệ.")
    return ""


def build(
    campaign: Campaign,
    kind: str,
    *,
    number: int | None = None,
    issued_on: datetime.date | None = None,
    vote_round: VoteRound | None = None,
    narrative: Narrative | None = None,
) -> dict:
    """The snapshot of ``kind`` for ``campaign``; ``number`` None makes a draft. Raises NotReady (its message in
    the user's language); the snapshot itself is Vietnamese whatever the active language."""
    reason = missing(campaign, kind, vote_round)
    if reason:
        raise NotReady(reason)
    with translation.override("vi"):
        base = _base(campaign, kind, number=number, issued_on=issued_on or timezone.localdate())
        if kind == Kind.REPORT:
            return report_snapshot(campaign, base, narrative)
        if kind == Kind.MINUTES:
            return minutes_snapshot(campaign, base)
        if kind == Kind.COUNT_MINUTES:
            return count_minutes_snapshot(campaign, base, vote_round)
        if kind == Kind.REQUEST:
            return request_snapshot(campaign, base)
        if kind == Kind.SCORE_TABLE:
            return score_table_snapshot(campaign, base)
        if kind == Kind.COVENANT:
            return covenant_snapshot(campaign, base)
    raise NotReady(_("Loại văn bản không hợp lệ."))
