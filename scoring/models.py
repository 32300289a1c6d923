import datetime
import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Unit

SCORE_DIGITS = {"max_digits": 7, "decimal_places": 2}


class PrivateStorage(FileSystemStorage):
    """Evidence files live under PRIVATE_MEDIA_ROOT, which has no URL: a view checks access and sends them."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL.")


class AwardType(models.Model):
    """A title or form of commendation a bloc can propose (Cờ thi đua, Bằng khen, …)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh, thành phố")
        NATIONAL = "national", _("Cấp Nhà nước")

    class Recipient(models.TextChoices):
        COLLECTIVE = "collective", _("Tập thể")
        INDIVIDUAL = "individual", _("Cá nhân")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=80)
    level = models.CharField(_("cấp"), max_length=10, choices=Level, default=Level.PROVINCE)
    recipient = models.CharField(
        _("đối tượng"), max_length=10, choices=Recipient, default=Recipient.COLLECTIVE
    )
    money_coefficient = models.DecimalField(
        _("hệ số tiền thưởng (lần lương cơ sở)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("danh hiệu, hình thức khen thưởng")
        verbose_name_plural = _("danh hiệu, hình thức khen thưởng")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(money_coefficient__gte=0), name="award_type_money_not_negative"
            ),
        ]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    """A bloc's emulation campaign for one year, from launch to the decision on awards."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        LAUNCHED = "launched", _("Đã phát động")
        SCORING = "scoring", _("Đang chấm điểm")
        CONFERENCE = "conference", _("Hội nghị tổng kết")
        SUBMITTED = "submitted", _("Đã gửi hồ sơ")
        DECIDED = "decided", _("Đã có quyết định khen thưởng")
        CLOSED = "closed", _("Đã kết thúc")

    class TieBreak(models.TextChoices):
        FULL_MARKS_THEN_DEDUCTION = (
            "full_marks_then_deduction",
            _("Nhiều tiêu chí đạt điểm tối đa hơn, rồi tổng điểm trừ ít hơn"),
        )
        DEDUCTION_THEN_FULL_MARKS = (
            "deduction_then_full_marks",
            _("Tổng điểm trừ ít hơn, rồi nhiều tiêu chí đạt điểm tối đa hơn"),
        )
        NONE = "none", _("Đồng hạng; hội nghị quyết định")

    bloc_year = models.OneToOneField(
        BlocYear, on_delete=models.PROTECT, related_name="campaign", verbose_name=_("khối, năm")
    )
    title = models.CharField(_("tên phong trào"), max_length=255)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status, default=Status.DRAFT)
    launch_date = models.DateField(_("ngày phát động"), null=True, blank=True)
    covenant_date = models.DateField(_("ngày ký kết giao ước"), null=True, blank=True)
    midyear_review_date = models.DateField(_("ngày sơ kết 6 tháng"), null=True, blank=True)
    scoring_deadline = models.DateField(_("hạn gửi phiếu tự chấm"), null=True, blank=True)
    conference_date = models.DateField(_("ngày hội nghị tổng kết"), null=True, blank=True)
    dossier_deadline = models.DateField(_("hạn gửi hồ sơ khen thưởng"), null=True, blank=True)
    tie_break = models.CharField(
        _("cách xếp hạng khi bằng điểm"),
        max_length=30,
        choices=TieBreak,
        default=TieBreak.FULL_MARKS_THEN_DEDUCTION,
    )
    score_step = models.DecimalField(
        _("bước điểm"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        help_text=_("Ví dụ: 0,25 điểm."),
    )
    criteria_frozen_at = models.DateTimeField(
        _("bảng tiêu chí khóa lúc"), null=True, blank=True, editable=False
    )
    covenant_signed_on = models.DateField(_("ngày ký giao ước"), null=True, blank=True)
    covenant_place = models.CharField(_("địa điểm ký giao ước"), max_length=255, blank=True)
    covenant_signatories = models.TextField(
        _("người ký giao ước"), blank=True, help_text=_("Mỗi dòng một người.")
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("phong trào thi đua")
        verbose_name_plural = _("phong trào thi đua")
        ordering = ["-bloc_year__year", "bloc_year__bloc__name"]
        constraints = [
            models.CheckConstraint(condition=Q(score_step__gt=0), name="campaign_score_step_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scoring:campaign_detail", args=[self.pk])

    @property
    def step_index(self) -> int:
        return list(self.Status.values).index(self.status)

    def is_at_least(self, status: str) -> bool:
        return self.step_index >= list(self.Status.values).index(status)

    @property
    def criteria_frozen(self) -> bool:
        return self.criteria_frozen_at is not None

    @property
    def covenant_signed(self) -> bool:
        return self.covenant_signed_on is not None

    def deadlines(self, today: datetime.date | None = None) -> list[dict]:
        """Each dated step with whether it is done, due soon or late, for dashboards."""
        today = today or timezone.localdate()
        steps = [
            ("launch_date", self.Status.LAUNCHED),
            ("covenant_date", self.Status.SCORING),
            ("midyear_review_date", None),
            ("scoring_deadline", self.Status.CONFERENCE),
            ("conference_date", self.Status.SUBMITTED),
            ("dossier_deadline", self.Status.SUBMITTED),
        ]
        rows = []
        for field_name, done_at in steps:
            day = getattr(self, field_name)
            if field_name == "covenant_date":
                done = self.covenant_signed
            elif done_at is None:
                done = day is not None and day < today
            else:
                done = self.is_at_least(done_at)
            if day is None:
                state = "unset"
            elif done:
                state = "done"
            elif day < today:
                state = "late"
            elif (day - today).days <= 14:
                state = "due"
            else:
                state = "planned"
            rows.append(
                {
                    "label": self._meta.get_field(field_name).verbose_name,
                    "date": day,
                    "state": state,
                    "done": done,
                }
            )
        return rows

    @property
    def late_steps(self) -> list[dict]:
        return [d for d in self.deadlines() if d["state"] == "late"]

    @property
    def next_deadline(self) -> dict | None:
        return next((d for d in self.deadlines() if d["state"] in ("due", "planned")), None)


class Registration(models.Model):
    """A unit's registration for the campaign (đăng ký thi đua): its targets and the titles it aims for."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="registrations")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("đơn vị")
    )
    targets = models.TextField(_("chỉ tiêu, nhiệm vụ đăng ký"))
    titles = models.ManyToManyField(
        AwardType, blank=True, related_name="+", verbose_name=_("danh hiệu đăng ký")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("thời điểm đăng ký"), default=timezone.now)

    class Meta:
        verbose_name = _("đăng ký thi đua")
        verbose_name_plural = _("đăng ký thi đua")
        ordering = ["unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="registration_once_per_unit")
        ]

    def __str__(self):
        return f"{self.unit} – {self.campaign}"


class CriteriaGroup(models.Model):
    class Kind(models.TextChoices):
        SCORE = "score", _("Tiêu chí chấm điểm")
        BONUS = "bonus", _("Điểm cộng")
        DEDUCTION = "deduction", _("Điểm trừ")
        KNOCKOUT = "knockout", _("Tiêu chí loại trừ")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.CharField(_("mã nhóm"), max_length=10)
    title = models.CharField(_("tên nhóm"), max_length=255)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind, default=Kind.SCORE)
    cap = models.DecimalField(
        _("giới hạn của nhóm"),
        **SCORE_DIGITS,
        null=True,
        blank=True,
        help_text=_("Tổng điểm cộng (hoặc điểm trừ) tối đa của cả nhóm."),
    )

    class Meta:
        verbose_name = _("nhóm tiêu chí")
        verbose_name_plural = _("nhóm tiêu chí")
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="criteria_group_code_unique"),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | (Q(cap__gt=0) & Q(kind__in=["bonus", "deduction"])),
                name="criteria_group_cap_for_bonus_or_deduction",
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"

    @property
    def is_knockout(self) -> bool:
        return self.kind == self.Kind.KNOCKOUT


class Criterion(models.Model):
    group = models.ForeignKey(CriteriaGroup, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.CharField(_("mã"), max_length=12)
    title = models.CharField(_("nội dung"), max_length=500)
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True)
    max_score = models.DecimalField(_("điểm tối đa"), **SCORE_DIGITS, default=Decimal("0"))

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["group__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="criterion_code_unique_in_group"),
            models.CheckConstraint(condition=Q(max_score__gte=0), name="criterion_max_not_negative"),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"


class ScoreSheet(models.Model):
    """A unit's score sheet: self-assessment by the unit, then review (thẩm định) by the head."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang tự chấm")
        SUBMITTED = "submitted", _("Đã gửi, chờ thẩm định")
        RETURNED = "returned", _("Bị trả lại để sửa")
        REVIEWED = "reviewed", _("Đã thẩm định (chốt)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sheets")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("đơn vị")
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=0, editable=False)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("chốt lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    return_comment = models.TextField(_("lý do trả lại"), blank=True)

    class Meta:
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")
        ordering = ["campaign", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="score_sheet_once_per_unit")]

    def __str__(self):
        return f"Phiếu chấm điểm {self.unit} – {self.campaign.bloc_year.year}"

    def get_absolute_url(self):
        return reverse("scoring:sheet_detail", args=[self.pk])

    @property
    def is_editable_by_unit(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ScoreLine(models.Model):
    """One criterion of a sheet. Knock-out criteria record a violation (yes/no) instead of a score."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="lines")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="lines")
    self_score = models.DecimalField(_("điểm tự chấm"), **SCORE_DIGITS, null=True, blank=True)
    self_violation = models.BooleanField(_("tự nhận vi phạm"), null=True, blank=True)
    self_comment = models.TextField(_("giải trình"), blank=True)
    reviewed_score = models.DecimalField(_("điểm thẩm định"), **SCORE_DIGITS, null=True, blank=True)
    reviewed_violation = models.BooleanField(_("vi phạm (thẩm định)"), null=True, blank=True)
    review_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dòng chấm điểm")
        verbose_name_plural = _("dòng chấm điểm")
        ordering = ["criterion__group__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_line_once_per_criterion"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=0),
                name="score_line_self_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_score__isnull=True) | Q(reviewed_score__gte=0),
                name="score_line_reviewed_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.sheet.unit} – {self.criterion.code}"

    @cached_property
    def is_knockout(self) -> bool:
        return self.criterion.group.kind == CriteriaGroup.Kind.KNOCKOUT


class ScoreChange(models.Model):
    """History of a line: every change of a self or reviewed score, kept forever."""

    class Stage(models.TextChoices):
        SELF = "self", _("Tự chấm")
        REVIEW = "review", _("Thẩm định")

    line = models.ForeignKey(ScoreLine, on_delete=models.CASCADE, related_name="changes")
    stage = models.CharField(_("bước"), max_length=6, choices=Stage)
    old_value = models.CharField(_("giá trị cũ"), max_length=20, blank=True)
    new_value = models.CharField(_("giá trị mới"), max_length=20, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_by_name = models.CharField(max_length=150, blank=True)
    changed_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("lịch sử điểm")
        verbose_name_plural = _("lịch sử điểm")
        ordering = ["line", "changed_at", "id"]

    def __str__(self):
        return f"{self.line}: {self.old_value or '—'} → {self.new_value or '—'}"


def evidence_path(instance, filename):
    # The display name (Evidence.name) may be 120 Vietnamese characters, too long for some file systems in
    # UTF-8; the file on disk gets a random name with the checked extension.
    line = instance.line
    extension = os.path.splitext(filename)[1].lower()
    return f"evidence/{line.sheet.campaign_id}/{line.sheet_id}/{uuid.uuid4().hex}{extension}"


class Evidence(models.Model):
    line = models.ForeignKey(ScoreLine, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, storage=PrivateStorage(), max_length=300)
    name = models.CharField(_("tên tệp"), max_length=160)
    kind = models.CharField(_("loại tệp"), max_length=10)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField(_("dung lượng"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("scoring:evidence_download", args=[self.pk])
