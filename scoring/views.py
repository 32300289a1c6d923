from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs import access as bloc_access
from blocs.errors import BlocError
from blocs.models import BlocYear, Membership
from scoring import access, services
from scoring.charts import Bar, bar_chart_svg
from scoring.criteria_import import parse_criteria
from scoring.errors import ConflictError
from scoring.exports import summary_workbook
from scoring.forms import (
    CampaignForm,
    CovenantForm,
    CriteriaGroupForm,
    CriteriaImportForm,
    CriterionForm,
    EvidenceForm,
    RegistrationForm,
    ReturnForm,
    ReviewLineForm,
    SelfScoreForm,
    violation_raw,
    violation_value,
)
from scoring.models import Campaign, CriteriaGroup, Criterion, ScoreChange, ScoreSheet
from scoring.selectors import campaign_summary

IMPORT_SALT = "scoring.criteria_import"


def _status(exc: BlocError) -> int:
    """409 when someone else changed the same thing first, 400 for a rule the input broke."""
    return 409 if isinstance(exc, ConflictError) else 400


def _error(request, exc: BlocError, to):
    messages.error(request, exc.message)
    return redirect(to)


# ---------------------------------------------------------------------------------------------------------------
# Campaign


@login_required
def campaign_create(request, bloc_id: int, year: int):
    bloc = bloc_access.get_bloc(request.user, bloc_id)
    bloc_year = get_object_or_404(
        BlocYear.objects.prefetch_related("memberships__unit"), bloc=bloc, year=year
    )
    bloc_access.ensure_can_manage(request.user, bloc_year)
    if hasattr(bloc_year, "campaign"):
        return redirect(bloc_year.campaign)
    form = CampaignForm(
        request.POST or None, initial={"title": _("Phong trào thi đua năm %(year)s") % {"year": year}}
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, bloc_year=bloc_year, **form.cleaned_data)
        except BlocError as exc:
            return _error(request, exc, bloc.get_absolute_url())
        messages.success(request, _("Đã mở %(campaign)s.") % {"campaign": campaign.title})
        return redirect(campaign)
    return render(
        request,
        "scoring/campaign_form.html",
        {"form": form, "bloc": bloc, "bloc_year": bloc_year},
        status=400 if form.errors else 200,
    )


def _chart(summary) -> str:
    """Final sheets show their reviewed total; sheets still in progress their self score, greyed."""
    bars = []
    for row in summary.rows:
        if row.is_final:
            eligible = row.reviewed_totals.eligible
            bars.append(
                Bar(
                    label=row.unit.name,
                    value=row.reviewed_totals.total,
                    note="" if eligible else _("Không đủ điều kiện"),
                    muted=not eligible,
                )
            )
        else:
            bars.append(
                Bar(
                    label=row.unit.name, value=row.self_totals.total, note=_("tự chấm, chưa chốt"), muted=True
                )
            )
    return bar_chart_svg(bars, max_value=summary.total_max, title=_("Điểm của các đơn vị"))


@login_required
@require_GET
def campaign_detail(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    step = services.next_step(campaign)
    summary = campaign_summary(campaign) if campaign.is_at_least(Campaign.Status.SCORING) else None
    return render(
        request,
        "scoring/campaign_detail.html",
        {
            "campaign": campaign,
            "bloc_year": campaign.bloc_year,
            "can_manage": bloc_access.can_manage(request.user, campaign.bloc_year),
            "next_step": step,
            "blockers": services.step_blockers(campaign, step) if step else [],
            "deadlines": campaign.deadlines(),
            "summary": summary,
            "chart": _chart(summary) if summary else "",
            "statuses": Campaign.Status.choices,
        },
    )


@login_required
def campaign_edit(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        # The ModelForm must not write: the service decides, records and audits.
        campaign.refresh_from_db()
        try:
            services.campaign_update(actor=request.user, campaign=campaign, **changes)
        except BlocError as exc:
            return _error(request, exc, campaign.get_absolute_url())
        messages.success(request, _("Đã lưu thông tin phong trào."))
        return redirect(campaign)
    return render(
        request,
        "scoring/campaign_form.html",
        {
            "form": form,
            "campaign": campaign,
            "bloc": campaign.bloc_year.bloc,
            "bloc_year": campaign.bloc_year,
        },
        status=400 if form.errors else 200,
    )


def _step_or_404(verb: str) -> services.Step:
    step = services.STEPS.get(verb.replace("-", "_"))
    if step is None:
        raise Http404(_("Không có bước này."))
    return step


@login_required
@require_GET
def campaign_step_confirm(request, campaign_id: int, verb: str):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    step = _step_or_404(verb)
    return render(
        request,
        "scoring/campaign_step.html",
        {
            "campaign": campaign,
            "step": step,
            "verb": verb,
            "in_order": campaign.status == step.source,
            "blockers": services.step_blockers(campaign, step),
        },
    )


@login_required
@require_POST
def campaign_step(request, campaign_id: int, verb: str):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    step = _step_or_404(verb)
    try:
        services.campaign_advance(actor=request.user, campaign=campaign, verb=step.verb)
    except BlocError as exc:
        return _error(request, exc, campaign.get_absolute_url())
    messages.success(request, _("Đã thực hiện: %(step)s.") % {"step": step.label})
    return redirect(campaign)


# ---------------------------------------------------------------------------------------------------------------
# Covenant


def _my_membership(user, bloc_year) -> Membership | None:
    if user.unit_id is None or user.role not in access.UNIT_STAFF_ROLES:
        return None
    return next((m for m in bloc_year.memberships.all() if m.unit_id == user.unit_id), None)


@login_required
@require_GET
def covenant(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    registrations = {
        r.unit_id: r for r in campaign.registrations.select_related("unit").prefetch_related("titles")
    }
    members = [(m, registrations.get(m.unit_id)) for m in campaign.bloc_year.memberships.all()]
    mine = _my_membership(request.user, campaign.bloc_year)
    registration_form = None
    if mine and not campaign.covenant_signed and not campaign.is_at_least(Campaign.Status.SCORING):
        existing = registrations.get(mine.unit_id)
        registration_form = RegistrationForm(
            initial={"targets": existing.targets, "titles": list(existing.titles.all())} if existing else None
        )
    can_manage = bloc_access.can_manage(request.user, campaign.bloc_year)
    sign_form = None
    if can_manage and campaign.status == Campaign.Status.LAUNCHED and not campaign.covenant_signed:
        heads = [
            f"{m.unit.head_name}, {m.unit.head_title} {m.unit.short_name}".strip(", ") for m, _reg in members
        ]
        sign_form = CovenantForm(
            initial={"signed_on": campaign.covenant_date, "signatories": "\n".join(heads)}
        )
    return render(
        request,
        "scoring/covenant.html",
        {
            "campaign": campaign,
            "members": members,
            "registration_form": registration_form,
            "my_unit": mine.unit if mine else None,
            "sign_form": sign_form,
        },
    )


@login_required
@require_POST
def registration_save(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    mine = _my_membership(request.user, campaign.bloc_year)
    if mine is None:
        raise PermissionDenied(_("Chỉ cán bộ của đơn vị thành viên mới đăng ký thi đua."))
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Đăng ký chưa hợp lệ: ghi các chỉ tiêu, nhiệm vụ đăng ký."))
        return redirect("scoring:covenant", campaign_id=campaign.pk)
    try:
        services.registration_save(
            actor=request.user,
            campaign=campaign,
            unit=mine.unit,
            targets=form.cleaned_data["targets"],
            titles=list(form.cleaned_data["titles"]),
        )
    except BlocError as exc:
        messages.error(request, exc.message)
        return redirect("scoring:covenant", campaign_id=campaign.pk)
    messages.success(request, _("Đã lưu đăng ký thi đua của %(unit)s.") % {"unit": mine.unit.short_name})
    return redirect("scoring:covenant", campaign_id=campaign.pk)


@login_required
@require_POST
def covenant_sign(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    form = CovenantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ghi đủ ngày ký, địa điểm và người ký."))
        return redirect("scoring:covenant", campaign_id=campaign.pk)
    try:
        services.covenant_sign(actor=request.user, campaign=campaign, **form.cleaned_data)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi nhận việc ký kết giao ước thi đua."))
    return redirect("scoring:covenant", campaign_id=campaign.pk)


# ---------------------------------------------------------------------------------------------------------------
# Criteria table


def _criteria_groups(campaign):
    return list(campaign.groups.prefetch_related("items").order_by("position"))


@login_required
@require_GET
def criteria(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    groups = _criteria_groups(campaign)
    can_edit = (
        bloc_access.can_manage(request.user, campaign.bloc_year)
        and not campaign.criteria_frozen
        and not campaign.is_at_least(Campaign.Status.CONFERENCE)
    )
    return render(
        request,
        "scoring/criteria.html",
        {
            "campaign": campaign,
            "groups": groups,
            "can_edit": can_edit,
            "group_form": CriteriaGroupForm() if can_edit else None,
            "criterion_form": CriterionForm(groups=groups) if can_edit and groups else None,
            "total_max": sum(
                (c.max_score for g in groups if g.kind == CriteriaGroup.Kind.SCORE for c in g.items.all()),
                start=0,
            ),
            "previous": services.previous_campaign(campaign) if can_edit and not groups else None,
        },
    )


def _criteria_form_page(request, campaign, form, *, title: str, save):
    """A criteria edit form: on a valid POST, ``save(cleaned_data)`` through a service, then back to the table."""
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except BlocError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã lưu: %(what)s.") % {"what": title.lower()})
                return redirect("scoring:criteria", campaign_id=campaign.pk)
        else:
            messages.error(request, _("Chưa lưu: có ô chưa hợp lệ (xem các ô được đánh dấu)."))
    return render(
        request,
        "scoring/criteria_edit.html",
        {"campaign": campaign, "form": form, "title": title},
        status=400 if form.errors else 200,
    )


@login_required
def criteria_group_edit(request, campaign_id: int, group_id: int | None = None):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    group = get_object_or_404(CriteriaGroup, pk=group_id, campaign=campaign) if group_id else None
    initial = (
        {"code": group.code, "title": group.title, "kind": group.kind, "cap": group.cap} if group else None
    )
    return _criteria_form_page(
        request,
        campaign,
        CriteriaGroupForm(request.POST or None, initial=initial),
        title=_("Sửa nhóm tiêu chí") if group else _("Thêm nhóm tiêu chí"),
        save=lambda data: services.criteria_group_save(
            actor=request.user, campaign=campaign, group=group, **data
        ),
    )


@login_required
def criterion_edit(request, campaign_id: int, criterion_id: int | None = None):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    criterion = None
    initial = None
    if criterion_id:
        criterion = get_object_or_404(Criterion, pk=criterion_id, group__campaign=campaign)
        initial = {
            "group": criterion.group_id,
            "code": criterion.code,
            "title": criterion.title,
            "max_score": criterion.max_score,
            "guidance": criterion.guidance,
        }
    return _criteria_form_page(
        request,
        campaign,
        CriterionForm(
            request.POST or None, initial=initial, groups=list(campaign.groups.order_by("position"))
        ),
        title=_("Sửa tiêu chí") if criterion else _("Thêm tiêu chí"),
        save=lambda data: services.criterion_save(actor=request.user, criterion=criterion, **data),
    )


@login_required
@require_POST
def criteria_group_delete(request, campaign_id: int, group_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    group = get_object_or_404(CriteriaGroup, pk=group_id, campaign=campaign)
    try:
        services.criteria_group_delete(actor=request.user, group=group)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xóa nhóm %(code)s.") % {"code": group.code})
    return redirect("scoring:criteria", campaign_id=campaign.pk)


@login_required
@require_POST
def criterion_delete(request, campaign_id: int, criterion_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    criterion = get_object_or_404(
        Criterion.objects.select_related("group"), pk=criterion_id, group__campaign=campaign
    )
    try:
        services.criterion_delete(actor=request.user, criterion=criterion)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xóa tiêu chí %(code)s.") % {"code": criterion.code})
    return redirect("scoring:criteria", campaign_id=campaign.pk)


@login_required
@require_GET
def criteria_copy_confirm(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    source = services.previous_campaign(campaign)
    groups = _criteria_groups(source) if source else []
    return render(
        request, "scoring/criteria_copy.html", {"campaign": campaign, "source": source, "groups": groups}
    )


@login_required
@require_POST
def criteria_copy(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    try:
        count = services.criteria_copy_previous(actor=request.user, campaign=campaign)
    except BlocError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã sao chép %(count)s tiêu chí từ năm trước.") % {"count": count})
    return redirect("scoring:criteria", campaign_id=campaign.pk)


@login_required
def criteria_import(request, campaign_id: int):
    """Upload (POST) → the checked table is shown as a preview, the file travelling signed to the next step."""
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    form = CriteriaImportForm(request.POST or None, request.FILES or None)
    result, specs, payload = None, [], ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        result, specs = parse_criteria(file_name=upload.name, content=content)
        if specs:
            payload = signing.dumps(
                {"name": upload.name, "content": content.hex(), "campaign": campaign.pk},
                salt=IMPORT_SALT,
                compress=True,
            )
    return render(
        request,
        "scoring/criteria_import.html",
        {
            "campaign": campaign,
            "form": form,
            "result": result,
            "specs": specs,
            "payload": payload,
            "replaces": campaign.groups.exists(),
            "item_count": sum(len(s.items) for s in specs),
        },
        status=400 if form.errors or (result and result.errors) else 200,
    )


@login_required
@require_POST
def criteria_import_apply(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id, manage=True)
    try:
        data = signing.loads(request.POST.get("payload", ""), salt=IMPORT_SALT, max_age=3600)
        content = bytes.fromhex(data["content"])
        if data["campaign"] != campaign.pk:
            raise signing.BadSignature
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        messages.error(request, _("Bản xem trước đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại."))
        return redirect("scoring:criteria_import", campaign_id=campaign.pk)
    result, specs = parse_criteria(file_name=data["name"], content=content)
    try:
        if result.errors:
            raise BlocError(_("Tệp không hợp lệ; hãy tải lên lại."))
        count = services.criteria_import(actor=request.user, campaign=campaign, specs=specs)
    except BlocError as exc:
        messages.error(request, exc.message)
        return redirect("scoring:criteria", campaign_id=campaign.pk)
    messages.success(
        request,
        _("Đã nhập bảng tiêu chí: %(groups)s nhóm, %(count)s tiêu chí.")
        % {"groups": len(specs), "count": count},
    )
    return redirect("scoring:criteria", campaign_id=campaign.pk)


# ---------------------------------------------------------------------------------------------------------------
# Score sheets


@login_required
@require_GET
def sheet_list(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    sheets = list(access.readable_sheets(request.user, campaign).order_by("unit__name"))
    return render(request, "scoring/sheet_list.html", {"campaign": campaign, "sheets": sheets})


def _sheet_context(request, sheet: ScoreSheet, *, form=None, review_errors=None) -> dict:
    campaign = sheet.campaign
    criteria = list(
        Criterion.objects.filter(group__campaign=campaign)
        .select_related("group")
        .order_by("group__position", "position")
    )
    lines = {
        line.criterion_id: line
        for line in sheet.lines.prefetch_related(
            "evidence", Prefetch("changes", queryset=ScoreChange.objects.order_by("changed_at", "id"))
        )
    }
    can_fill = (
        access.is_unit_staff(request.user, sheet.unit_id)
        and sheet.is_editable_by_unit
        and campaign.status == Campaign.Status.SCORING
    )
    can_review = (
        access.can_review(request.user, sheet)
        and sheet.status == ScoreSheet.Status.SUBMITTED
        and campaign.status == Campaign.Status.SCORING
    )
    if can_fill and form is None:
        form = SelfScoreForm(criteria=criteria, lines=lines, initial={"version": sheet.version})
    rows = []
    for criterion in criteria:
        line = lines.get(criterion.pk)
        review_form = None
        if can_review:
            review_form = ReviewLineForm(
                (review_errors or {}).get(criterion.pk),
                initial={
                    "score": (
                        line.reviewed_score if line and line.reviewed_score is not None else line.self_score
                    )
                    if line
                    else None,
                    "violation": violation_raw(
                        line.reviewed_violation
                        if line and line.reviewed_violation is not None
                        else line.self_violation
                    )
                    if line
                    else "",
                    "reason": line.review_reason if line else "",
                    "version": line.version if line else 0,
                },
                prefix=f"r{criterion.pk}",
            )
        rows.append({"criterion": criterion, "line": line, "review_form": review_form})
    groups = []
    for row in rows:
        group = row["criterion"].group
        if not groups or groups[-1]["group"].pk != group.pk:
            groups.append({"group": group, "rows": []})
        groups[-1]["rows"].append(row)
    summary_row = next((r for r in campaign_summary(campaign).rows if r.sheet.pk == sheet.pk), None)
    return {
        "sheet": sheet,
        "campaign": campaign,
        "groups": groups,
        "form": form,
        "can_fill": can_fill,
        "can_review": can_review,
        "missing": services.missing_self_scores(sheet) if can_fill else [],
        "return_form": ReturnForm() if can_review else None,
        "evidence_form": EvidenceForm() if can_fill else None,
        "totals": summary_row,
    }


@login_required
@require_GET
def sheet_detail(request, sheet_id: int):
    sheet = access.get_sheet(request.user, sheet_id)
    return render(request, "scoring/sheet_detail.html", _sheet_context(request, sheet))


@login_required
@require_POST
def sheet_save(request, sheet_id: int):
    sheet = access.get_sheet(request.user, sheet_id)
    access.ensure_can_fill(request.user, sheet)
    criteria = list(
        Criterion.objects.filter(group__campaign=sheet.campaign)
        .select_related("group")
        .order_by("group__position", "position")
    )
    form = SelfScoreForm(request.POST, criteria=criteria, lines={})
    if not form.is_valid():
        messages.error(request, _("Phiếu chưa lưu: có ô nhập chưa hợp lệ (xem các ô được đánh dấu)."))
        context = _sheet_context(request, sheet, form=form)
        return render(request, "scoring/sheet_detail.html", context, status=400)
    try:
        services.score_sheet_save(
            actor=request.user,
            sheet=sheet,
            entries=form.entries(),
            expected_version=form.cleaned_data["version"],
        )
    except BlocError as exc:
        messages.error(request, exc.message)
        return render(
            request,
            "scoring/sheet_detail.html",
            _sheet_context(request, sheet, form=form),
            status=_status(exc),
        )
    messages.success(request, _("Đã lưu bản nháp phiếu tự chấm."))
    return redirect(sheet)


@login_required
@require_POST
def sheet_submit(request, sheet_id: int):
    sheet = access.get_sheet(request.user, sheet_id)
    try:
        services.score_sheet_submit(actor=request.user, sheet=sheet)
    except BlocError as exc:
        return _error(request, exc, sheet.get_absolute_url())
    messages.success(request, _("Đã gửi phiếu để Khối trưởng thẩm định."))
    return redirect(sheet)


@login_required
@require_POST
def line_review(request, sheet_id: int, criterion_id: int):
    sheet = access.get_sheet(request.user, sheet_id)
    access.ensure_can_review(request.user, sheet)
    criterion = get_object_or_404(
        Criterion.objects.select_related("group"), pk=criterion_id, group__campaign=sheet.campaign
    )
    form = ReviewLineForm(request.POST, prefix=f"r{criterion.pk}")
    if not form.is_valid():
        messages.error(
            request, _("Tiêu chí %(code)s: giá trị thẩm định chưa hợp lệ.") % {"code": criterion.code}
        )
        context = _sheet_context(request, sheet, review_errors={criterion.pk: request.POST})
        return render(request, "scoring/sheet_detail.html", context, status=400)
    data = form.cleaned_data
    try:
        services.score_line_review(
            actor=request.user,
            sheet=sheet,
            criterion=criterion,
            score=data["score"],
            violation=violation_value(data["violation"]),
            reason=data["reason"],
            expected_version=data["version"],
        )
    except BlocError as exc:
        messages.error(request, exc.message)
        context = _sheet_context(request, sheet, review_errors={criterion.pk: request.POST})
        return render(request, "scoring/sheet_detail.html", context, status=_status(exc))
    messages.success(request, _("Đã lưu điểm thẩm định tiêu chí %(code)s.") % {"code": criterion.code})
    return redirect(f"{sheet.get_absolute_url()}#tieu-chi-{criterion.pk}")


@login_required
@require_POST
def sheet_return(request, sheet_id: int):
    sheet = access.get_sheet(request.user, sheet_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["comment"][0])
        return redirect(sheet)
    try:
        services.score_sheet_return(actor=request.user, sheet=sheet, comment=form.cleaned_data["comment"])
    except BlocError as exc:
        return _error(request, exc, sheet.get_absolute_url())
    messages.success(request, _("Đã trả lại phiếu của %(unit)s để sửa.") % {"unit": sheet.unit.short_name})
    return redirect(sheet)


@login_required
@require_POST
def sheet_finalize(request, sheet_id: int):
    sheet = access.get_sheet(request.user, sheet_id)
    try:
        services.score_sheet_finalize(actor=request.user, sheet=sheet)
    except BlocError as exc:
        return _error(request, exc, sheet.get_absolute_url())
    messages.success(request, _("Đã chốt phiếu của %(unit)s.") % {"unit": sheet.unit.short_name})
    return redirect(sheet)


@login_required
@require_POST
def evidence_add(request, sheet_id: int):
    sheet = access.get_sheet(request.user, sheet_id)
    access.ensure_can_fill(request.user, sheet)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _error(request, BlocError(_("Chọn một tệp minh chứng để tải lên.")), sheet.get_absolute_url())
    criterion = get_object_or_404(
        Criterion.objects.select_related("group"),
        pk=form.cleaned_data["criterion"],
        group__campaign=sheet.campaign,
    )
    try:
        evidence = services.evidence_add(
            actor=request.user, sheet=sheet, criterion=criterion, upload=form.cleaned_data["file"]
        )
    except BlocError as exc:
        return _error(request, exc, f"{sheet.get_absolute_url()}#tieu-chi-{criterion.pk}")
    except ValidationError as exc:
        return _error(
            request, BlocError(" ".join(exc.messages)), f"{sheet.get_absolute_url()}#tieu-chi-{criterion.pk}"
        )
    messages.success(
        request,
        _("Đã thêm minh chứng “%(name)s” cho tiêu chí %(code)s.")
        % {"name": evidence.name, "code": criterion.code},
    )
    return redirect(f"{sheet.get_absolute_url()}#tieu-chi-{criterion.pk}")


@login_required
@require_GET
def evidence_download(request, evidence_id: int):
    evidence = access.get_evidence(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Tệp minh chứng không còn trên máy chủ.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def evidence_delete(request, evidence_id: int):
    evidence = access.get_evidence(request.user, evidence_id)
    sheet = evidence.line.sheet
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except BlocError as exc:
        return _error(request, exc, sheet.get_absolute_url())
    messages.success(request, _("Đã xóa minh chứng “%(name)s”.") % {"name": evidence.name})
    return redirect(sheet.get_absolute_url())


# ---------------------------------------------------------------------------------------------------------------
# Summary


@login_required
@require_GET
def summary(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    data = campaign_summary(campaign)
    return render(
        request,
        "scoring/summary.html",
        {"campaign": campaign, "summary": data, "chart": _chart(data) if data.rows else ""},
    )


@login_required
@require_GET
def summary_export(request, campaign_id: int):
    campaign = access.get_campaign(request.user, campaign_id)
    content = summary_workbook(campaign_summary(campaign))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    # Translators: a file name; keep it ASCII, without spaces or quotes.
    filename = _("bang-tong-hop-diem-%(year)s-khoi-%(bloc)s.xlsx") % {
        "year": campaign.bloc_year.year,
        "bloc": campaign.bloc_year.bloc.number,
    }
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
