"""Pages of the year-end conference: its record, the vote rules, rounds, ballots and results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs import access as bloc_access
from blocs.errors import BlocError
from blocs.rotation import rotation_plan
from scoring import access, conference
from scoring.forms import (
    AdoptForm,
    BallotForm,
    ConferenceForm,
    HandoverForm,
    PaperEntryForm,
    RoundCreateForm,
    VoteRuleForm,
    VoteSettingsForm,
)
from scoring.models import Campaign, Conference, RoundCandidate, Voter, VoteRound, VoteRule
from scoring.tally import Threshold, format_fraction, quota_for


def _conference_of(campaign: Campaign) -> Conference | None:
    return Conference.objects.filter(campaign=campaign).prefetch_related("attendances__unit").first()


def _rules(campaign: Campaign) -> list[dict]:
    members = len(campaign.bloc_year.memberships.all())
    rows = []
    for rule in campaign.vote_rules.select_related("award_type").order_by("position"):
        seats = quota_for(
            members=members, number=rule.quota_number, share=rule.quota_share, rounding=rule.quota_rounding
        )
        quota = (
            str(rule.quota_number)
            if rule.quota_kind == VoteRule.QuotaKind.NUMBER
            else _("%(share)s số thành viên (%(rounding)s) = %(seats)s")
            % {
                "share": format_fraction(rule.quota_share),
                "rounding": rule.get_quota_rounding_display().lower(),
                "seats": seats,
            }
        )
        rows.append(
            {
                "rule": rule,
                "quota": quota,
                "seats": seats,
                "ranks": _("hạng %(rank)s") % {"rank": rule.rank_from}
                if rule.rank_from == rule.rank_to
                else _("hạng %(first)s–%(last)s") % {"first": rule.rank_from, "last": rule.rank_to},
                "threshold": Threshold(
                    rule.threshold_share, rule.threshold_strict, rule.threshold_basis
                ).describe(),
            }
        )
    return rows


@login_required
@require_GET
def conference_detail(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    record = _conference_of(campaign)
    rounds = list(record.rounds.order_by("number")) if record else []
    return render(
        request,
        "scoring/conference_detail.html",
        {
            "campaign": campaign,
            "conference": record,
            "rounds": rounds,
            "rules": _rules(campaign),
            "can_manage": bloc_access.can_manage(request.user, campaign.bloc_year)
            and campaign.status == Campaign.Status.CONFERENCE,
            "nominations": campaign.nominations.select_related("unit", "award_type").order_by(
                "award_type__position", "unit__name"
            ),
            "adopt_form": AdoptForm(
                initial={"report": record.report_adopted, "direction": record.direction_adopted}
                if record
                else None
            ),
            "round_form": RoundCreateForm(initial={"method": VoteRound.Method.PAPER}),
            "quorum": format_fraction(campaign.quorum),
        },
    )


@login_required
def conference_edit(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    record = _conference_of(campaign)
    members = [m.unit for m in campaign.bloc_year.memberships.all()]
    initial = {
        "held_on": campaign.conference_date,
        "place": _("Hội trường %(head)s") % {"head": campaign.bloc_year.head},
    }
    if record:
        initial = {
            "held_on": record.held_on,
            "starts_at": record.starts_at,
            "ends_at": record.ends_at,
            "place": record.place,
            "chair": record.chair,
            "secretary": record.secretary,
            "guests": record.guests,
        }
        for a in record.attendances.all():
            initial[f"present_{a.unit_id}"] = True
            initial[f"delegate_{a.unit_id}"] = a.delegate
    form = ConferenceForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith(("present_", "delegate_"))}
        try:
            conference.conference_save(
                actor=request.user, campaign=campaign, attendances=form.attendances(), **data
            )
        except BlocError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lưu biên bản hội nghị."))
            return redirect("scoring:conference_detail", campaign_id=campaign.pk)
    return render(
        request,
        "scoring/conference_form.html",
        {"campaign": campaign, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def conference_adopt(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    record = get_object_or_404(Conference, campaign=campaign)
    form = AdoptForm(request.POST)
    form.is_valid()
    try:
        conference.conference_adopt(
            actor=request.user,
            conference=record,
            report=form.cleaned_data.get("report", False),
            direction=form.cleaned_data.get("direction", False),
        )
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi kết quả thông qua của hội nghị."))
    return redirect("scoring:conference_detail", campaign_id=campaign.pk)


@login_required
@require_GET
def conference_handover_confirm(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    record = get_object_or_404(Conference, campaign=campaign)
    bloc = campaign.bloc_year.bloc
    next_year = (
        bloc.years.filter(year=campaign.bloc_year.year + 1).prefetch_related("memberships__unit").first()
    )
    plan = (
        None
        if next_year
        else rotation_plan(bloc=bloc, year=campaign.bloc_year.year + 1, previous=campaign.bloc_year)
    )
    return render(
        request,
        "scoring/conference_handover.html",
        {
            "campaign": campaign,
            "conference": record,
            "next_year": next_year,
            "plan": plan,
            "form": HandoverForm(initial={"handed_over_on": record.held_on}),
        },
    )


@login_required
@require_POST
def conference_handover(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    record = get_object_or_404(Conference, campaign=campaign)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ghi ngày bàn giao."))
        return redirect("scoring:conference_handover_confirm", campaign_id=campaign.pk)
    try:
        handover = conference.conference_handover(
            actor=request.user, conference=record, handed_over_on=form.cleaned_data["handed_over_on"]
        )
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi nhận bàn giao: %(handover)s.") % {"handover": handover})
    return redirect("scoring:conference_detail", campaign_id=campaign.pk)


# ---------------------------------------------------------------------------------------------------------------
# Vote rules


@login_required
@require_GET
def vote_rules(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    editable = (
        bloc_access.can_manage(request.user, campaign.bloc_year)
        and campaign.vote_rules_frozen_at is None
        and not campaign.is_at_least(Campaign.Status.SUBMITTED)
    )
    return render(
        request,
        "scoring/vote_rules.html",
        {
            "campaign": campaign,
            "rules": _rules(campaign),
            "editable": editable,
            "quorum": format_fraction(campaign.quorum),
            "settings_form": VoteSettingsForm(
                initial={
                    "quorum_numerator": campaign.quorum_numerator,
                    "quorum_denominator": campaign.quorum_denominator,
                    "quorum_strict": campaign.quorum_strict,
                    "self_vote_allowed": campaign.self_vote_allowed,
                }
            )
            if editable
            else None,
        },
    )


@login_required
def vote_rule_edit(request, campaign_id: int, rule_id: int | None = None):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    rule = get_object_or_404(VoteRule, pk=rule_id, campaign=campaign) if rule_id else None
    initial = None
    if rule:
        initial = {name: getattr(rule, name) for name in conference.RULE_FIELDS}
    form = VoteRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conference.vote_rule_save(actor=request.user, campaign=campaign, rule=rule, **form.cleaned_data)
        except BlocError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lưu quy định bỏ phiếu."))
            return redirect("scoring:vote_rules", campaign_id=campaign.pk)
    return render(
        request,
        "scoring/vote_rule_form.html",
        {"campaign": campaign, "form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def vote_rule_delete(request, campaign_id: int, rule_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    rule = get_object_or_404(VoteRule, pk=rule_id, campaign=campaign)
    try:
        conference.vote_rule_delete(actor=request.user, rule=rule)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xóa quy định bỏ phiếu."))
    return redirect("scoring:vote_rules", campaign_id=campaign.pk)


@login_required
@require_POST
def vote_settings(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    form = VoteSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tỷ lệ dự họp tối thiểu chưa hợp lệ."))
        return redirect("scoring:vote_rules", campaign_id=campaign.pk)
    try:
        conference.vote_settings_save(actor=request.user, campaign=campaign, **form.cleaned_data)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã lưu quy định chung về bỏ phiếu."))
    return redirect("scoring:vote_rules", campaign_id=campaign.pk)


# ---------------------------------------------------------------------------------------------------------------
# Rounds


@login_required
@require_GET
def round_create_confirm(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    record = get_object_or_404(Conference, campaign=campaign)
    preview = [
        {"rule": rule, "standings": conference.standings(campaign, rule, on=record.held_on)}
        for rule in campaign.vote_rules.select_related("award_type").order_by("position")
    ]
    return render(
        request,
        "scoring/round_create.html",
        {"campaign": campaign, "conference": record, "preview": preview, "form": RoundCreateForm()},
    )


@login_required
@require_POST
def round_create(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    record = get_object_or_404(Conference, campaign=campaign)
    form = RoundCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chọn hình thức bỏ phiếu."))
        return redirect("scoring:round_create_confirm", campaign_id=campaign.pk)
    try:
        vote_round = conference.round_create(
            actor=request.user, conference=record, method=form.cleaned_data["method"]
        )
    except BlocError as exc:
        messages.error(request, exc.message)
        return redirect("scoring:conference_detail", campaign_id=campaign.pk)
    messages.success(request, _("Đã chuẩn bị vòng bỏ phiếu %(number)s.") % {"number": vote_round.number})
    return redirect(vote_round)


def _awards(vote_round: VoteRound):
    """The round's awards with their candidates and units: two queries (the ballot pages use them too)."""
    candidates = RoundCandidate.objects.select_related("unit").order_by("rank", "unit__name")
    return list(
        vote_round.awards.select_related("rule__award_type").prefetch_related(
            Prefetch("candidates", queryset=candidates)
        )
    )


@login_required
@require_GET
def round_detail(request, round_id: int):
    vote_round = access.get_round(request.user, round_id)
    campaign = vote_round.conference.campaign
    can_manage = bloc_access.can_manage(request.user, campaign.bloc_year)
    voters = list(vote_round.voters.select_related("unit").order_by("unit__name"))
    my_voter = next((v for v in voters if v.unit_id == request.user.unit_id), None)
    awards = _awards(vote_round)
    paper_form = None
    if (
        can_manage
        and vote_round.method == VoteRound.Method.PAPER
        and vote_round.status == VoteRound.Status.OPEN
    ):
        mine = vote_round.paper_entries.filter(entered_by=request.user).first()
        paper_form = PaperEntryForm(
            initial=PaperEntryForm.initial_from(mine.counts) if mine else None, awards=awards
        )
    return render(
        request,
        "scoring/round_detail.html",
        {
            "campaign": campaign,
            "round": vote_round,
            "awards": awards,
            "voters": voters,
            "voted": sum(v.has_voted for v in voters),
            "can_manage": can_manage,
            "can_vote": my_voter is not None
            and not my_voter.has_voted
            and access.is_unit_staff(request.user, my_voter.unit_id)
            and vote_round.status == VoteRound.Status.OPEN,
            "has_voted": my_voter is not None and my_voter.has_voted,
            "entries": list(vote_round.paper_entries.select_related("entered_by")),
            "mismatches": conference.paper_mismatches(vote_round),
            "paper_form": paper_form,
            "results": conference.results_visible(vote_round),
        },
    )


@login_required
@require_POST
def round_open(request, round_id: int):
    vote_round = access.get_round(request.user, round_id, manage=True)
    try:
        conference.round_open(actor=request.user, vote_round=vote_round)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã mở bỏ phiếu vòng %(number)s.") % {"number": vote_round.number})
    return redirect(vote_round)


@login_required
@require_GET
def round_close_confirm(request, round_id: int):
    vote_round = access.get_round(request.user, round_id, manage=True)
    return render(
        request,
        "scoring/round_close.html",
        {
            "campaign": vote_round.conference.campaign,
            "round": vote_round,
            "voted": vote_round.voters.filter(has_voted=True).count(),
            "entitled": vote_round.voters.count(),
            "mismatches": conference.paper_mismatches(vote_round),
            "entries": vote_round.paper_entries.count(),
        },
    )


@login_required
@require_POST
def round_close(request, round_id: int):
    vote_round = access.get_round(request.user, round_id, manage=True)
    try:
        conference.round_close(actor=request.user, vote_round=vote_round)
    except BlocError as exc:
        messages.error(request, exc.message)
        return redirect(vote_round)
    messages.success(
        request, _("Đã kết thúc vòng %(number)s; kết quả đã được chốt.") % {"number": vote_round.number}
    )
    return redirect("scoring:round_results", round_id=vote_round.pk)


@login_required
@require_GET
def round_results(request, round_id: int):
    vote_round = access.get_round(request.user, round_id)
    return render(
        request,
        "scoring/round_results.html",
        {
            "campaign": vote_round.conference.campaign,
            "round": vote_round,
            "awards": _awards(vote_round) if conference.results_visible(vote_round) else [],
            "results": conference.results_visible(vote_round),
            "runoffs": list(vote_round.runoffs.all()),
        },
    )


@login_required
@require_GET
def ballot_form(request, round_id: int):
    vote_round = access.get_round(request.user, round_id)
    voter = Voter.objects.filter(round=vote_round, unit_id=request.user.unit_id).first()
    if voter is None or not access.is_unit_staff(request.user, voter.unit_id):
        raise PermissionDenied(_("Chỉ đại biểu của đơn vị có mặt mới được bỏ phiếu."))
    return render(
        request,
        "scoring/ballot.html",
        {
            "campaign": vote_round.conference.campaign,
            "round": vote_round,
            "voter": voter,
            "form": BallotForm(awards=_awards(vote_round)),
        },
    )


@login_required
@require_POST
def ballot_cast(request, round_id: int):
    vote_round = access.get_round(request.user, round_id)
    form = BallotForm(request.POST, awards=_awards(vote_round))
    if not form.is_valid():
        return render(
            request,
            "scoring/ballot.html",
            {"campaign": vote_round.conference.campaign, "round": vote_round, "form": form},
            status=400,
        )
    try:
        conference.ballot_cast(actor=request.user, vote_round=vote_round, choices=form.choices())
    except BlocError as exc:
        messages.error(request, exc.message)
        return redirect(vote_round)
    messages.success(
        request, _("Phiếu của đơn vị đã được ghi nhận. Kết quả công bố khi vòng bỏ phiếu kết thúc.")
    )
    return redirect(vote_round)


@login_required
@require_POST
def paper_entry_save(request, round_id: int):
    vote_round = access.get_round(request.user, round_id, manage=True)
    form = PaperEntryForm(request.POST, awards=_awards(vote_round))
    if not form.is_valid():
        messages.error(request, _("Kết quả kiểm phiếu chưa hợp lệ: nhập số nguyên không âm vào mọi ô."))
        return redirect(vote_round)
    try:
        entry = conference.paper_entry_save(actor=request.user, vote_round=vote_round, counts=form.counts())
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Đã lưu lần nhập %(number)s kết quả kiểm phiếu.") % {"number": entry.entry_number}
        )
    return redirect(vote_round)
