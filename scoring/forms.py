from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError

from blocs.forms import DateInput
from scoring.criteria_import import MAX_BYTES as CRITERIA_MAX_BYTES
from scoring.models import AwardType, Campaign, CriteriaGroup
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
            raise ValidationError("Điểm không hợp lệ: dùng một dấu phẩy cho phần thập phân, ví dụ 12,5.")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(f"“{value}” không phải là điểm số.") from None
        if not number.is_finite():
            raise ValidationError(f"“{value}” không phải là điểm số.")
        if number != number.quantize(Decimal("0.01")) or abs(number) >= Decimal("100000"):
            raise ValidationError("Điểm có tối đa hai chữ số thập phân.")
        return number


VIOLATION_CHOICES = [("", "— Chưa trả lời —"), ("no", "Không vi phạm"), ("yes", "Có vi phạm")]


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
    score_step = ScoreField(label="Bước điểm", help_text="Ví dụ: 0,25 điểm.")

    class Meta:
        model = Campaign
        fields = list(CAMPAIGN_FIELDS)
        widgets = {name: DateInput() for name in fields if name.endswith(("_date", "_deadline"))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Lưu")

    def clean_score_step(self):
        step = self.cleaned_data["score_step"]
        if step is None or step <= 0:
            raise ValidationError("Bước điểm phải lớn hơn 0.")
        return step


class RegistrationForm(forms.Form):
    targets = forms.CharField(
        label="Chỉ tiêu, nhiệm vụ đăng ký",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    titles = forms.ModelMultipleChoiceField(
        label="Danh hiệu, hình thức khen thưởng đăng ký",
        queryset=AwardType.objects.filter(is_active=True, recipient=AwardType.Recipient.COLLECTIVE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Lưu đăng ký")


class CovenantForm(forms.Form):
    signed_on = forms.DateField(label="Ngày ký", widget=DateInput())
    place = forms.CharField(label="Địa điểm", max_length=255)
    signatories = forms.CharField(
        label="Người ký (mỗi dòng một người)", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Ghi nhận ký giao ước")


class CriteriaGroupForm(forms.Form):
    code = forms.CharField(label="Mã nhóm", max_length=10)
    title = forms.CharField(label="Tên nhóm", max_length=255)
    kind = forms.ChoiceField(label="Loại", choices=CriteriaGroup.Kind.choices)
    cap = ScoreField(label="Giới hạn (điểm cộng, điểm trừ)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Lưu nhóm")


class CriterionForm(forms.Form):
    group = forms.TypedChoiceField(label="Nhóm", coerce=int)
    code = forms.CharField(label="Mã tiêu chí", max_length=12)
    title = forms.CharField(label="Nội dung", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    max_score = ScoreField(label="Điểm tối đa", required=False, help_text="Để trống với tiêu chí loại trừ.")
    guidance = forms.CharField(
        label="Hướng dẫn chấm", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {g.pk: g for g in groups}
        self.fields["group"].choices = [(g.pk, str(g)) for g in groups]
        self.helper = _helper("Lưu tiêu chí")

    def clean_group(self):
        return self.groups[self.cleaned_data["group"]]


class CriteriaImportForm(forms.Form):
    file = forms.FileField(label="Tệp bảng tiêu chí (.xlsx)", help_text="Dòng 1 là tiêu đề cột; tối đa 2 MB.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Kiểm tra tệp")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("Chỉ nhận tệp .xlsx.")
        if upload.size > CRITERIA_MAX_BYTES:
            raise ValidationError("Tệp lớn hơn 2 MB.")
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
                    label=f"{criterion.code}. {criterion.title} (tối đa {format_score(criterion.max_score)})",
                    required=False,
                )
                self.initial.setdefault(f"s{criterion.pk}", line.self_score if line else None)
            self.fields[f"c{criterion.pk}"] = forms.CharField(
                label="Giải trình", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 1})
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
    score = ScoreField(label="Điểm thẩm định", required=False)
    violation = forms.ChoiceField(label="Kết luận", choices=VIOLATION_CHOICES, required=False)
    reason = forms.CharField(label="Lý do điều chỉnh", required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Lý do trả lại", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class EvidenceForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label="Tệp minh chứng")
