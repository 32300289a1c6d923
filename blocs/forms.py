from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from blocs.models import Blocker, Province
from blocs.rotation import RotationPlan

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RotationForm(forms.Form):
    """Next year's roles: by the default rotation rule, or as the council's notice names them."""

    class Method:
        ROTATION = "rotation"
        COUNCIL = "council"

    method = forms.ChoiceField(
        label=_("Cách phân công"),
        choices=[
            (Method.ROTATION, _("Luân phiên theo quy chế (Khối phó năm trước làm Khối trưởng)")),
            (Method.COUNCIL, _("Theo thông báo của Hội đồng Thi đua – Khen thưởng")),
        ],
        widget=forms.RadioSelect,
        initial=Method.ROTATION,
    )
    year = forms.IntegerField(label=_("Năm phân công"), min_value=2000, max_value=2100)
    handover_date = forms.DateField(
        label=_("Ngày bàn giao nhiệm vụ Khối trưởng"),
        required=False,
        widget=DateInput(),
        help_text=_("Thường là ngày hội nghị tổng kết."),
    )
    head = forms.TypedChoiceField(label=_("Khối trưởng"), coerce=int, required=False, empty_value=None)
    deputy = forms.TypedChoiceField(label=_("Khối phó"), coerce=int, required=False, empty_value=None)
    notice_number = forms.CharField(label=_("Số thông báo của Hội đồng"), max_length=60, required=False)
    notice_date = forms.DateField(label=_("Ngày thông báo"), required=False, widget=DateInput())

    def __init__(self, *args, plan: RotationPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # Choices come from the plan's members, already loaded: no query per field.
        self.members = {u.pk: u for u in plan.members}
        choices = [("", "---------"), *((u.pk, u.name) for u in plan.members)]
        for name in ("head", "deputy"):
            self.fields[name].choices = choices
        # The year is fixed by the latest year; only a bloc's very first year is chosen here.
        if plan.previous is not None:
            self.fields["year"].widget = forms.HiddenInput()
        if plan.previous is None:
            self.fields["method"].choices = self.fields["method"].choices[1:]
            self.fields["method"].initial = self.Method.COUNCIL
            del self.fields["handover_date"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Xác nhận phân công")))

    def clean_head(self):
        return self.members.get(self.cleaned_data["head"])

    def clean_deputy(self):
        return self.members.get(self.cleaned_data["deputy"])

    def clean(self):
        data = super().clean()
        if data.get("method") == self.Method.COUNCIL:
            if not data.get("head"):
                self.add_error("head", _("Chọn đơn vị Khối trưởng."))
            if not (data.get("notice_number") or "").strip():
                self.add_error("notice_number", _("Ghi số thông báo của Hội đồng."))
            if not data.get("notice_date"):
                self.add_error("notice_date", _("Ghi ngày thông báo."))
            if data.get("head") and data.get("head") == data.get("deputy"):
                self.add_error("deputy", _("Khối phó phải khác Khối trưởng."))
        previous_head = self.plan.previous.head if self.plan.previous else None
        new_head = self.plan.head if data.get("method") == self.Method.ROTATION else data.get("head")
        if previous_head is not None and new_head != previous_head and not data.get("handover_date"):
            self.add_error("handover_date", _("Ghi ngày bàn giao nhiệm vụ Khối trưởng."))
        return data


class UnitImportForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Tỉnh, thành phố"), queryset=Province.objects.all())
    file = forms.FileField(
        label=_("Tệp danh sách đơn vị (.xlsx hoặc .csv)"),
        help_text=_("Dòng 1 là tiêu đề cột; tối đa 5 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 5 MB."))
        return upload


class BlockerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Trường hợp"), choices=Blocker.Kind.choices)
    started_on = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    ended_on = forms.DateField(label=_("Đến ngày"), widget=DateInput(), required=False)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Ghi nhận")))
