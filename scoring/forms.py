from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blocs.forms import DateInput
from scoring.criteria_import import MAX_BYTES as CRITERIA_MAX_BYTES
from scoring.models import AwardType, Campaign, CriteriaGroup, VoteRound, VoteRule
from scoring.services import CAMPAIGN_FIELDS, format_score


class ScoreInput(forms.TextInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            {
                "inputmode": "decimal",
                "autocomplete": "off",
                "class": "form-control score-input",
                **(attrs or {}),
            }
        )

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format_score(value)
        return super().format_value(value)


class ScoreField(forms.Field):
    """A score typed as "12,5" or "12.5". Thousands separators are refused rather than guessed: with the
    Vietnamese "." for thousands, "2.5" would otherwise silently become 25."""

    widget = ScoreInput

    def to_python(self, value):
        text = (value or "").strip().replace(" ", "")
        if text == "":
            return None
        if text.count(",") + text.count(".") > 1:
            raise ValidationError(_("Điểm không hợp lệ: dùng một dấu phẩy cho phần thập phân, ví dụ 12,5."))
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(gettext("“%(value)s” không phải là điểm số.") % {"value": value}) from None
        if not number.is_finite():
            raise ValidationError(gettext("“%(value)s” không phải là điểm số.") % {"value": value})
        # The size first: quantizing 1e30 to cents would exceed the decimal context's precision.
        if abs(number) >= Decimal("100000") or number != number.quantize(Decimal("0.01")):
            raise ValidationError(_("Điểm có tối đa hai chữ số thập phân."))
        return number


VIOLATION_CHOICES = [("", _("— Chưa trả lời —")), ("no", _("Không vi phạm")), ("yes", _("Có vi phạm"))]


def violation_value(raw: str) -> bool | None:
    return {"yes": True, "no": False}.get(raw)


def violation_raw(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def _helper(label: str, *, form_tag: bool = False) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.add_input(Submit("submit", label))
    return helper


class CampaignForm(forms.ModelForm):
    score_step = ScoreField(label=_("Bước điểm"), help_text=_("Ví dụ: 0,25 điểm."))

    class Meta:
        model = Campaign
        fields = list(CAMPAIGN_FIELDS)
        widgets = {name: DateInput() for name in fields if name.endswith(("_date", "_deadline"))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Lưu"))

    def clean_score_step(self):
        step = self.cleaned_data["score_step"]
        if step is None or step <= 0:
            raise ValidationError(_("Bước điểm phải lớn hơn 0."))
        return step


class RegistrationForm(forms.Form):
    targets = forms.CharField(
        label=_("Chỉ tiêu, nhiệm vụ đăng ký"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    titles = forms.ModelMultipleChoiceField(
        label=_("Danh hiệu, hình thức khen thưởng đăng ký"),
        queryset=AwardType.objects.filter(is_active=True, recipient=AwardType.Recipient.COLLECTIVE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Lưu đăng ký"))


class CovenantForm(forms.Form):
    signed_on = forms.DateField(label=_("Ngày ký"), widget=DateInput())
    place = forms.CharField(label=_("Địa điểm"), max_length=255)
    signatories = forms.CharField(
        label=_("Người ký (mỗi dòng một người)"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Ghi nhận ký giao ước"))


class CriteriaGroupForm(forms.Form):
    code = forms.CharField(label=_("Mã nhóm"), max_length=10)
    title = forms.CharField(label=_("Tên nhóm"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại"), choices=CriteriaGroup.Kind.choices)
    cap = ScoreField(label=_("Giới hạn (điểm cộng, điểm trừ)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Lưu nhóm"))


class CriterionForm(forms.Form):
    group = forms.TypedChoiceField(label=_("Nhóm"), coerce=int)
    code = forms.CharField(label=_("Mã tiêu chí"), max_length=12)
    title = forms.CharField(label=_("Nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    max_score = ScoreField(
        label=_("Điểm tối đa"), required=False, help_text=_("Để trống với tiêu chí loại trừ.")
    )
    guidance = forms.CharField(
        label=_("Hướng dẫn chấm"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {g.pk: g for g in groups}
        self.fields["group"].choices = [(g.pk, str(g)) for g in groups]
        self.helper = _helper(_("Lưu tiêu chí"))

    def clean_group(self):
        return self.groups[self.cleaned_data["group"]]


class CriteriaImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp bảng tiêu chí (.xlsx)"), help_text=_("Dòng 1 là tiêu đề cột; tối đa 2 MB.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Kiểm tra tệp"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Chỉ nhận tệp .xlsx."))
        if upload.size > CRITERIA_MAX_BYTES:
            raise ValidationError(_("Tệp lớn hơn 2 MB."))
        return upload


class SelfScoreForm(forms.Form):
    """Every criterion of the table on one form: a score (or a knock-out answer) and a comment each."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, criteria, lines, form_id="sheet-form", **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.form_id = form_id
        for criterion in criteria:
            line = lines.get(criterion.pk)
            if criterion.group.is_knockout:
                self.fields[f"v{criterion.pk}"] = forms.ChoiceField(
                    label=f"{criterion.code}. {criterion.title}", choices=VIOLATION_CHOICES, required=False
                )
                self.initial.setdefault(
                    f"v{criterion.pk}", violation_raw(line.self_violation if line else None)
                )
            else:
                self.fields[f"s{criterion.pk}"] = ScoreField(
                    label=gettext("%(code)s. %(title)s (tối đa %(max)s)")
                    % {
                        "code": criterion.code,
                        "title": criterion.title,
                        "max": format_score(criterion.max_score),
                    },
                    required=False,
                )
                self.initial.setdefault(f"s{criterion.pk}", line.self_score if line else None)
            self.fields[f"c{criterion.pk}"] = forms.CharField(
                label=_("Giải trình"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
            self.initial.setdefault(f"c{criterion.pk}", line.self_comment if line else "")
        # The inputs sit in the criteria table, outside the <form> element (evidence uploads are forms of their own).
        for field in self.fields.values():
            field.widget.attrs["form"] = form_id

    def entries(self):
        from scoring.services import LineEntry

        data = self.cleaned_data
        return {
            c.pk: LineEntry(
                score=None if c.group.is_knockout else data.get(f"s{c.pk}"),
                violation=violation_value(data.get(f"v{c.pk}", "")) if c.group.is_knockout else None,
                comment=data.get(f"c{c.pk}", ""),
            )
            for c in self.criteria
        }

    def rows(self):
        """(criterion, score or answer field, comment field) for the template."""
        for c in self.criteria:
            yield c, self[f"v{c.pk}" if c.group.is_knockout else f"s{c.pk}"], self[f"c{c.pk}"]


class ReviewLineForm(forms.Form):
    score = ScoreField(label=_("Điểm thẩm định"), required=False)
    violation = forms.ChoiceField(label=_("Kết luận"), choices=VIOLATION_CHOICES, required=False)
    reason = forms.CharField(label=_("Lý do điều chỉnh"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReturnForm(forms.Form):
    """The reason for returning a sheet or a dossier. An empty reason is refused by the service, with a message
    that says who needs it; the form refuses what the database cannot keep (too long, NUL characters)."""

    comment = forms.CharField(
        label=_("Lý do trả lại"),
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        max_length=5000,
        required=False,
    )


class EvidenceForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("Tệp minh chứng"))


# ---------------------------------------------------------------------------------------------------------------
# Conference, votes and nominations


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ConferenceForm(forms.Form):
    """The conference record, with one "present" box and delegate per member unit."""

    held_on = forms.DateField(label=_("Ngày họp"), widget=DateInput())
    starts_at = forms.TimeField(label=_("Giờ bắt đầu"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Giờ kết thúc"), widget=TimeInput(), required=False)
    place = forms.CharField(label=_("Địa điểm"), max_length=255)
    chair = forms.CharField(label=_("Chủ tọa (họ tên, chức vụ, đơn vị)"), max_length=255)
    secretary = forms.CharField(label=_("Thư ký hội nghị (họ tên, chức vụ, đơn vị)"), max_length=255)
    guests = forms.CharField(
        label=_("Khách mời (mỗi dòng một người)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for unit in members:
            self.fields[f"present_{unit.pk}"] = forms.BooleanField(
                label=gettext("%(unit)s có mặt") % {"unit": unit.name}, required=False
            )
            self.fields[f"delegate_{unit.pk}"] = forms.CharField(
                label=gettext("Đại biểu của %(unit)s") % {"unit": unit.short_name},
                required=False,
                max_length=255,
            )
        for field in self.fields.values():
            is_box = isinstance(field, forms.BooleanField)
            field.widget.attrs.setdefault("class", "form-check-input" if is_box else "form-control")

    def clean(self):
        data = super().clean()
        for unit in self.members:
            if data.get(f"present_{unit.pk}") and not (data.get(f"delegate_{unit.pk}") or "").strip():
                self.add_error(f"delegate_{unit.pk}", gettext("Ghi họ tên, chức vụ đại biểu."))
        return data

    def attendances(self):
        data = self.cleaned_data
        return [(u, data[f"delegate_{u.pk}"]) for u in self.members if data.get(f"present_{u.pk}")]

    def member_rows(self):
        for unit in self.members:
            yield unit, self[f"present_{unit.pk}"], self[f"delegate_{unit.pk}"]


class AdoptForm(forms.Form):
    report = forms.BooleanField(label=_("Thông qua báo cáo tổng kết"), required=False)
    direction = forms.BooleanField(label=_("Thông qua phương hướng, nhiệm vụ năm sau"), required=False)


class HandoverForm(forms.Form):
    handed_over_on = forms.DateField(label=_("Ngày bàn giao"), widget=DateInput())


class VoteRuleForm(forms.Form):
    award_type = forms.ModelChoiceField(
        label=_("Danh hiệu"), queryset=AwardType.objects.filter(is_active=True)
    )
    position = forms.IntegerField(label=_("Thứ tự trên phiếu"), min_value=1, max_value=99, initial=1)
    quota_kind = forms.ChoiceField(label=_("Số lượng được bầu"), choices=VoteRule.QuotaKind.choices)
    quota_number = forms.IntegerField(label=_("Số lượng"), min_value=0, max_value=50, required=False)
    quota_numerator = forms.IntegerField(label=_("Tỷ lệ: tử số"), min_value=0, max_value=100, required=False)
    quota_denominator = forms.IntegerField(
        label=_("Tỷ lệ: mẫu số"), min_value=1, max_value=100, required=False
    )
    quota_rounding = forms.ChoiceField(label=_("Làm tròn"), choices=VoteRule.Rounding.choices)
    rank_from = forms.IntegerField(label=_("Được bầu: từ hạng"), min_value=1, max_value=50)
    rank_to = forms.IntegerField(label=_("đến hạng"), min_value=1, max_value=50)
    threshold_numerator = forms.IntegerField(label=_("Ngưỡng: tử số"), min_value=0, max_value=100)
    threshold_denominator = forms.IntegerField(label=_("Ngưỡng: mẫu số"), min_value=1, max_value=100)
    threshold_strict = forms.BooleanField(
        label=_("Phải vượt ngưỡng (quá bán), không tính bằng"), required=False
    )
    threshold_basis = forms.ChoiceField(label=_("Tỷ lệ tính trên"), choices=VoteRule.Basis.choices)
    tie_rule = forms.ChoiceField(label=_("Khi bằng phiếu"), choices=VoteRule.TieRule.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Lưu quy định"))


class VoteSettingsForm(forms.Form):
    quorum_numerator = forms.IntegerField(
        label=_("Số đơn vị dự họp tối thiểu: tử số"), min_value=0, max_value=100
    )
    quorum_denominator = forms.IntegerField(label=_("mẫu số"), min_value=1, max_value=100)
    quorum_strict = forms.BooleanField(label=_("Phải vượt tỷ lệ này (không tính bằng)"), required=False)
    self_vote_allowed = forms.BooleanField(label=_("Đơn vị được bỏ phiếu cho chính mình"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Lưu"))


class RoundCreateForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Hình thức"), choices=VoteRound.Method.choices, widget=forms.RadioSelect
    )


class BallotForm(forms.Form):
    """One group of boxes per award; at most its seats may be ticked."""

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.awards = awards
        for award in awards:
            self.fields[f"award_{award.pk}"] = forms.TypedMultipleChoiceField(
                label=gettext("%(award)s (chọn tối đa %(seats)s)")
                % {"award": award.rule.award_type.name, "seats": award.seats},
                choices=[(c.pk, c.unit.name) for c in award.candidates.all()],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )

    def clean(self):
        data = super().clean()
        for award in self.awards:
            chosen = data.get(f"award_{award.pk}") or []
            if len(chosen) > award.seats:
                self.add_error(
                    f"award_{award.pk}",
                    gettext("Chọn tối đa %(seats)s đơn vị (đã chọn %(chosen)s).")
                    % {"seats": award.seats, "chosen": len(chosen)},
                )
        return data

    def choices(self) -> dict[int, set[int]]:
        return {a.pk: set(self.cleaned_data.get(f"award_{a.pk}") or []) for a in self.awards}


class PaperEntryForm(forms.Form):
    """The tellers' counts of a paper round."""

    issued = forms.IntegerField(label=_("Số phiếu phát ra"), min_value=0, max_value=10_000)
    returned = forms.IntegerField(label=_("Số phiếu thu về"), min_value=0, max_value=10_000)

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.awards = awards
        for award in awards:
            name = award.rule.award_type.short_name
            self.fields[f"valid_{award.pk}"] = forms.IntegerField(
                label=gettext("%(award)s: phiếu hợp lệ") % {"award": name}, min_value=0, max_value=10_000
            )
            self.fields[f"invalid_{award.pk}"] = forms.IntegerField(
                label=gettext("%(award)s: phiếu không hợp lệ") % {"award": name},
                min_value=0,
                max_value=10_000,
            )
            for c in award.candidates.all():
                self.fields[f"c_{c.pk}"] = forms.IntegerField(
                    label=gettext("Số phiếu đồng ý cho %(unit)s") % {"unit": c.unit.name},
                    min_value=0,
                    max_value=10_000,
                )

    @classmethod
    def initial_from(cls, counts: dict) -> dict:
        initial = {"issued": counts.get("issued"), "returned": counts.get("returned")}
        for award_id, entry in counts.get("awards", {}).items():
            initial[f"valid_{award_id}"] = entry.get("valid")
            initial[f"invalid_{award_id}"] = entry.get("invalid")
            for candidate_id, value in entry.get("approvals", {}).items():
                initial[f"c_{candidate_id}"] = value
        return initial

    def counts(self) -> dict:
        data = self.cleaned_data
        return {
            "issued": data["issued"],
            "returned": data["returned"],
            "awards": {
                str(a.pk): {
                    "valid": data[f"valid_{a.pk}"],
                    "invalid": data[f"invalid_{a.pk}"],
                    "approvals": {str(c.pk): data[f"c_{c.pk}"] for c in a.candidates.all()},
                }
                for a in self.awards
            },
        }

    def award_blocks(self):
        for award in self.awards:
            yield (
                award,
                self[f"valid_{award.pk}"],
                self[f"invalid_{award.pk}"],
                [self[f"c_{c.pk}"] for c in award.candidates.all()],
            )


class NominationSummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Tóm tắt thành tích"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20_000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class DecisionForm(forms.Form):
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DateInput())
    awarded = forms.TypedChoiceField(
        label=_("Kết quả"),
        choices=[("yes", _("Được khen thưởng")), ("no", _("Không được khen thưởng"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
