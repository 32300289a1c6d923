import datetime
import os
import uuid
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Unit
from thiduabloc.links import object_url

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


class BaseSalary(models.Model):
    """The base salary (lương cơ sở) from a date: award money is a multiple of it."""

    valid_from = models.DateField(_("áp dụng từ ngày"), unique=True)
    amount = models.PositiveIntegerField(_("mức lương cơ sở (đồng)"))
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("lương cơ sở")
        verbose_name_plural = _("lương cơ sở")
        ordering = ["-valid_from"]

    def __str__(self):
        return gettext("%(amount)s đ từ %(day)s") % {
            "amount": f"{self.amount:,}".replace(",", "."),
            "day": f"{self.valid_from:%d/%m/%Y}",
        }

    @classmethod
    def on(cls, day: datetime.date) -> "BaseSalary | None":
        return cls.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


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

    # The dated steps deadlines() reports, each with the state that marks it done (None: its date passing; the
    # covenant: its signature).
    DATED_STEPS = (
        ("launch_date", Status.LAUNCHED),
        ("covenant_date", Status.SCORING),
        ("midyear_review_date", None),
        ("scoring_deadline", Status.CONFERENCE),
        ("conference_date", Status.SUBMITTED),
        ("dossier_deadline", Status.SUBMITTED),
    )
    # What deadlines() and late_steps() read: a list that shows them may load only these columns.
    DEADLINE_FIELDS = ("status", "covenant_signed_on", *(name for name, done_at in DATED_STEPS))

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
    quorum_numerator = models.PositiveSmallIntegerField(_("số đơn vị dự họp tối thiểu (tử số)"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("số đơn vị dự họp tối thiểu (mẫu số)"), default=3)
    quorum_strict = models.BooleanField(_("phải vượt tỷ lệ (không tính bằng)"), default=False)
    self_vote_allowed = models.BooleanField(_("đơn vị được bỏ phiếu cho chính mình"), default=True)
    vote_rules_frozen_at = models.DateTimeField(
        _("quy định bỏ phiếu khóa lúc"), null=True, blank=True, editable=False
    )
    covenant_signed_on = models.DateField(_("ngày ký giao ước"), null=True, blank=True)
    covenant_place = models.CharField(_("địa điểm ký giao ước"), max_length=255, blank=True)
    covenant_signatories = models.TextField(
        _("người ký giao ước"), blank=True, help_text=_("Mỗi dòng một người.")
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now, editable=False)
    # Each unit's final score and rank, stored when the conference opens: from then on no score, criterion or
    # tie-break changes, and the bloc's and units' histories read this instead of the summary of every sheet.
    # Null before (scoring.selectors.freeze_standings).
    standings = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("phong trào thi đua")
        verbose_name_plural = _("phong trào thi đua")
        ordering = ["-bloc_year__year", "bloc_year__bloc__name"]
        constraints = [
            models.CheckConstraint(condition=Q(score_step__gt=0), name="campaign_score_step_positive"),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gt=0, quorum_numerator__lte=F("quorum_denominator")),
                name="campaign_quorum_is_a_share",
            ),
        ]
        indexes = [
            # Dashboards, to-do lists and the overview look for the open campaigns: a few among every closed
            # year's.
            models.Index(fields=["status"], name="campaign_status_idx"),
            # Lists of nominations and documents reach their bloc-year through the campaign: this index holds both
            # columns, so PostgreSQL joins from it alone (a scan for a hash join, a look-up by id for a nested
            # loop) instead of reading the campaigns' wide rows (stored standings, signatories). At national
            # scale: the review queue's query 12 -> 9 ms, the nominations of a search 8.0 -> 6.3 ms.
            models.Index(fields=["id", "bloc_year"], name="campaign_pk_bloc_year_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return object_url("scoring:campaign_detail", self.pk)

    @property
    def step_index(self) -> int:
        return STEP_INDEX[self.status]

    def is_at_least(self, status: str) -> bool:
        return self.step_index >= STEP_INDEX[status]

    @property
    def criteria_frozen(self) -> bool:
        return self.criteria_frozen_at is not None

    @property
    def covenant_signed(self) -> bool:
        return self.covenant_signed_on is not None

    def deadlines(self, today: datetime.date | None = None) -> list[dict]:
        """Each dated step with whether it is done, due soon or late, for dashboards."""
        today = today or timezone.localdate()
        rows = []
        for field_name, done_at in self.DATED_STEPS:
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
                    "field": field_name,
                    "label": self._meta.get_field(field_name).verbose_name,
                    "date": day,
                    "state": state,
                    "done": done,
                }
            )
        return rows

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator)

    def late_steps(self, today: datetime.date | None = None) -> list[dict]:
        """The dated steps past their date and not done (templates call it with no argument: today)."""
        return [d for d in self.deadlines(today) if d["state"] == "late"]

    @property
    def next_deadline(self) -> dict | None:
        return next((d for d in self.deadlines() if d["state"] in ("due", "planned")), None)


# Each state's place in the campaign's order (dashboards ask it for every campaign and deadline they show).
STEP_INDEX = {status: index for index, status in enumerate(Campaign.Status.values)}


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
    # The sums per criteria group and the counts a summary needs, stored when the sheet is finalised: its lines
    # never change after that, and histories then read five numbers instead of aggregating thirty lines a year.
    # Null until then (scoring.selectors.freeze_sheet_figures).
    figures = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")
        ordering = ["campaign", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="score_sheet_once_per_unit")]

    def __str__(self):
        return gettext("Phiếu chấm điểm %(unit)s – %(year)s") % {
            "unit": self.unit,
            "year": self.campaign.bloc_year.year,
        }

    def get_absolute_url(self):
        return object_url("scoring:sheet_detail", self.pk)

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
        return object_url("scoring:evidence_download", self.pk)


# ---------------------------------------------------------------------------------------------------------------
# Year-end conference, vote rounds and nominations


class VoteRule(models.Model):
    """How one award is voted on at the conference; frozen once the first round opens."""

    class QuotaKind(models.TextChoices):
        NUMBER = "number", _("Số lượng cố định")
        SHARE = "share", _("Tỷ lệ trên tổng số đơn vị thành viên")

    class Rounding(models.TextChoices):
        DOWN = "down", _("Làm tròn xuống")
        UP = "up", _("Làm tròn lên")
        NEAREST = "nearest", _("Làm tròn đến số gần nhất")

    class Basis(models.TextChoices):
        MEMBERS = "members", _("Tổng số đơn vị thành viên")
        PRESENT = "present", _("Số đơn vị có mặt")
        VALID = "valid", _("Số phiếu hợp lệ")

    class TieRule(models.TextChoices):
        APPROVALS_THEN_SCORE = (
            "approvals_then_score",
            _("Số phiếu, rồi điểm thẩm định; còn bằng nhau thì bỏ phiếu lại"),
        )
        APPROVALS_ONLY = "approvals_only", _("Số phiếu; bằng nhau thì bỏ phiếu lại")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="vote_rules")
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="+", verbose_name=_("danh hiệu")
    )
    position = models.PositiveSmallIntegerField(_("thứ tự trên phiếu"), default=1)
    quota_kind = models.CharField(
        _("cách tính số lượng"), max_length=6, choices=QuotaKind, default=QuotaKind.NUMBER
    )
    quota_number = models.PositiveSmallIntegerField(_("số lượng"), null=True, blank=True, default=1)
    quota_numerator = models.PositiveSmallIntegerField(_("tỷ lệ (tử số)"), null=True, blank=True)
    quota_denominator = models.PositiveSmallIntegerField(_("tỷ lệ (mẫu số)"), null=True, blank=True)
    quota_rounding = models.CharField(_("làm tròn"), max_length=8, choices=Rounding, default=Rounding.DOWN)
    rank_from = models.PositiveSmallIntegerField(_("được bầu: từ hạng"), default=1)
    rank_to = models.PositiveSmallIntegerField(_("đến hạng"), default=1)
    threshold_numerator = models.PositiveSmallIntegerField(_("ngưỡng (tử số)"), default=7)
    threshold_denominator = models.PositiveSmallIntegerField(_("ngưỡng (mẫu số)"), default=10)
    threshold_strict = models.BooleanField(_("phải vượt ngưỡng (không tính bằng)"), default=False)
    threshold_basis = models.CharField(_("tính trên"), max_length=8, choices=Basis, default=Basis.MEMBERS)
    tie_rule = models.CharField(
        _("khi bằng phiếu"), max_length=25, choices=TieRule, default=TieRule.APPROVALS_THEN_SCORE
    )

    class Meta:
        verbose_name = _("quy định bỏ phiếu")
        verbose_name_plural = _("quy định bỏ phiếu")
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "award_type"], name="vote_rule_once_per_award"),
            models.CheckConstraint(
                condition=Q(threshold_denominator__gt=0, threshold_numerator__lte=F("threshold_denominator")),
                name="vote_rule_threshold_is_a_share",
            ),
            models.CheckConstraint(
                condition=Q(rank_from__gte=1, rank_to__gte=F("rank_from")), name="vote_rule_rank_range"
            ),
            models.CheckConstraint(
                condition=(Q(quota_kind="number") & Q(quota_number__isnull=False))
                | (
                    Q(quota_kind="share", quota_denominator__gt=0, quota_numerator__isnull=False)
                    & Q(quota_numerator__lte=F("quota_denominator"))
                ),
                name="vote_rule_quota_given",
            ),
        ]

    def __str__(self):
        return f"{self.award_type} – {self.campaign}"

    @property
    def threshold_share(self) -> Fraction:
        return Fraction(self.threshold_numerator, self.threshold_denominator)

    @property
    def quota_share(self) -> Fraction | None:
        return self.share_of(self.quota_kind, self.quota_numerator, self.quota_denominator)

    @classmethod
    def share_of(cls, kind: str, numerator: int | None, denominator: int | None) -> Fraction | None:
        """The quota as a share of the members, from the rule's columns (for rows read without the model)."""
        return Fraction(numerator, denominator) if kind == cls.QuotaKind.SHARE else None


class Conference(models.Model):
    """The year-end conference (hội nghị tổng kết) and what it decided."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="conference")
    held_on = models.DateField(_("ngày họp"))
    starts_at = models.TimeField(_("giờ bắt đầu"))
    ends_at = models.TimeField(_("giờ kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255)
    chair = models.CharField(_("chủ tọa"), max_length=255, help_text=_("Họ tên, chức vụ, đơn vị."))
    secretary = models.CharField(_("thư ký hội nghị"), max_length=255)
    guests = models.TextField(
        _("khách mời"), blank=True, help_text=_("Mỗi dòng một người: họ tên, chức vụ, cơ quan.")
    )
    report_adopted = models.BooleanField(_("đã thông qua báo cáo tổng kết"), default=False)
    direction_adopted = models.BooleanField(_("đã thông qua phương hướng năm sau"), default=False)
    handover = models.ForeignKey(
        "blocs.Handover",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bàn giao"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("hội nghị tổng kết")
        verbose_name_plural = _("hội nghị tổng kết")

    def __str__(self):
        return gettext("Hội nghị tổng kết %(bloc_year)s") % {"bloc_year": self.campaign.bloc_year}

    def get_absolute_url(self):
        return object_url("scoring:conference_detail", self.campaign_id)


class Attendance(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendances")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    delegate = models.CharField(_("đại biểu"), max_length=255, help_text=_("Họ tên, chức vụ."))

    class Meta:
        verbose_name = _("đơn vị dự họp")
        verbose_name_plural = _("đơn vị dự họp")
        ordering = ["unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "unit"], name="attendance_once_per_unit")
        ]

    def __str__(self):
        return f"{self.unit}: {self.delegate}"


class VoteRound(models.Model):
    class Method(models.TextChoices):
        PAPER = "paper", _("Phiếu giấy (ban kiểm phiếu nhập kết quả)")
        ELECTRONIC = "electronic", _("Bỏ phiếu điện tử")

    class Status(models.TextChoices):
        PREPARED = "prepared", _("Chuẩn bị")
        OPEN = "open", _("Đang bỏ phiếu")
        CLOSED = "closed", _("Đã kết thúc")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("vòng"))
    method = models.CharField(_("hình thức"), max_length=10, choices=Method)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status, default=Status.PREPARED)
    runoff_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runoffs",
        verbose_name=_("bỏ phiếu lại của"),
    )
    members_count = models.PositiveSmallIntegerField(_("số đơn vị thành viên"), default=0)
    present_count = models.PositiveSmallIntegerField(_("số đơn vị có mặt"), default=0)
    entitled_count = models.PositiveSmallIntegerField(_("số đơn vị có quyền bỏ phiếu"), default=0)
    ballots_issued = models.PositiveSmallIntegerField(_("số phiếu phát ra"), default=0)
    ballots_returned = models.PositiveSmallIntegerField(_("số phiếu thu về"), default=0)
    opened_at = models.DateTimeField(_("mở lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("vòng bỏ phiếu")
        verbose_name_plural = _("vòng bỏ phiếu")
        ordering = ["conference", "number"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "number"], name="vote_round_number_unique")
        ]

    def __str__(self):
        return gettext("Vòng %(number)s – %(conference)s") % {
            "number": self.number,
            "conference": self.conference,
        }

    def get_absolute_url(self):
        return object_url("scoring:round_detail", self.pk)


class RoundAward(models.Model):
    """One award voted on in a round, with the seats it fills there and, once closed, its counts."""

    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="awards")
    rule = models.ForeignKey(VoteRule, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveSmallIntegerField(_("số lượng được bầu"))
    valid = models.PositiveSmallIntegerField(_("phiếu hợp lệ"), null=True, blank=True)
    invalid = models.PositiveSmallIntegerField(_("phiếu không hợp lệ"), null=True, blank=True)
    basis_count = models.PositiveSmallIntegerField(_("cơ sở tính tỷ lệ"), null=True, blank=True)

    class Meta:
        ordering = ["round", "rule__position"]
        constraints = [models.UniqueConstraint(fields=["round", "rule"], name="round_award_once")]

    def __str__(self):
        return f"{self.rule.award_type} ({self.round})"


class RoundCandidate(models.Model):
    round_award = models.ForeignKey(RoundAward, on_delete=models.CASCADE, related_name="candidates")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    rank = models.PositiveSmallIntegerField(_("xếp hạng"))
    final_score = models.DecimalField(_("điểm thẩm định"), **SCORE_DIGITS)
    approvals = models.PositiveSmallIntegerField(_("số phiếu đồng ý"), null=True, blank=True)
    share_numerator = models.PositiveSmallIntegerField(null=True, blank=True)
    share_denominator = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(_("đạt ngưỡng"), null=True, blank=True)
    elected = models.BooleanField(_("trúng"), default=False)
    runoff = models.BooleanField(_("phải bỏ phiếu lại"), default=False)

    class Meta:
        ordering = ["round_award", "rank", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["round_award", "unit"], name="round_candidate_once")]

    def __str__(self):
        return f"{self.unit} – {self.round_award}"

    @property
    def share(self) -> Fraction | None:
        if self.share_denominator:
            return Fraction(self.share_numerator, self.share_denominator)
        return None


class Voter(models.Model):
    """That a present unit may vote in an electronic round, and whether it has. Kept apart from what it voted:
    no time, no link to its ballot."""

    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="voters")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    has_voted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="voter_once_per_round")]

    def __str__(self):
        return f"{self.unit} – {self.round}"


class Ballot(models.Model):
    """What was voted, without who: a random id, the round, nothing else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="ballots")

    class Meta:
        verbose_name = _("phiếu bầu")
        verbose_name_plural = _("phiếu bầu")

    def __str__(self):
        return gettext("Phiếu %(id)s") % {"id": self.id}


class BallotChoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    candidate = models.ForeignKey(RoundCandidate, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "candidate"], name="ballot_choice_once")]

    def __str__(self):
        return gettext("Lựa chọn %(id)s") % {"id": self.id}


class PaperEntry(models.Model):
    """One teller's entry of a paper round's counts; two independent entries must agree before it closes."""

    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="paper_entries")
    entry_number = models.PositiveSmallIntegerField(_("lần nhập"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(_("số liệu"))

    class Meta:
        ordering = ["round", "entry_number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "entry_number"], name="paper_entry_number_unique"),
            models.UniqueConstraint(fields=["round", "entered_by"], name="paper_entry_one_per_teller"),
            models.CheckConstraint(condition=Q(entry_number__in=[1, 2]), name="paper_entry_first_or_second"),
        ]

    def __str__(self):
        return gettext("Lần nhập %(number)s – %(round)s") % {"number": self.entry_number, "round": self.round}


# The review queue's order: newest year first, then by bloc, award and unit; the id keeps pages apart when two blocs
# share a name.
QUEUE_ORDER = ["-sort_year", "sort_bloc", "sort_award", "sort_unit", "id"]


class Nomination(models.Model):
    """A unit proposed for an award after winning a seat at the conference, and its review by the reward board."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang hoàn thiện hồ sơ")
        SUBMITTED = "submitted", _("Đã gửi, chờ Ban Thi đua – Khen thưởng")
        RETURNED = "returned", _("Bị trả lại để bổ sung")
        ACCEPTED = "accepted", _("Hồ sơ hợp lệ, chờ quyết định")
        AWARDED = "awarded", _("Được khen thưởng")
        REJECTED = "rejected", _("Không được khen thưởng")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="nominations")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("đơn vị")
    )
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="+", verbose_name=_("danh hiệu")
    )
    candidate = models.OneToOneField(RoundCandidate, on_delete=models.PROTECT, related_name="nomination")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status, default=Status.DRAFT)
    summary = models.TextField(_("tóm tắt thành tích"), blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Copies of what the review queue sorts by: the campaign's year (which never changes), the bloc's name, the
    # award's place, the unit's name. A page of the queue is then read from one index. Sorting every waiting
    # nomination joined with its campaign, bloc-year, bloc and unit took 5–6 ms at national scale, and grew with
    # every year kept. Set at creation (sort_keys()); nominations.refresh_sort_keys() follows a unit or bloc
    # renamed, or an award moved.
    sort_year = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_bloc = models.CharField(max_length=255, default="", editable=False)
    sort_award = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_unit = models.CharField(max_length=255, default="", editable=False)

    class Meta:
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")
        ordering = ["campaign", "award_type__position", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "award_type", "unit"], name="nomination_once_per_award"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["awarded", "rejected"])
                | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="nomination_decision_recorded",
            ),
        ]
        # The review queue in its order, by status (the default: those waiting) or across every status; the
        # first also serves the reward board's counts of the few nominations waiting among every year's.
        indexes = [
            models.Index(fields=["status", *QUEUE_ORDER], name="nomination_queue_idx"),
            models.Index(fields=QUEUE_ORDER, name="nomination_queue_all_idx"),
        ]

    def __str__(self):
        return f"{self.award_type.short_name}: {self.unit}"

    def get_absolute_url(self):
        return object_url("scoring:nomination_detail", self.pk)

    @staticmethod
    def sort_keys(campaign: Campaign, unit: Unit, award_type: AwardType) -> dict:
        """The queue's sort keys of a new nomination (the campaign with its bloc-year and bloc loaded)."""
        return {
            "sort_year": campaign.bloc_year.year,
            "sort_bloc": campaign.bloc_year.bloc.name,
            "sort_award": award_type.position,
            "sort_unit": unit.name,
        }


class NominationVersion(models.Model):
    """What was sent to the reward board each time, and what changed since the previous time."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("lần gửi"))
    summary = models.TextField(_("tóm tắt thành tích"))
    changes = models.TextField(_("thay đổi so với lần trước"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["nomination", "number"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "number"], name="nomination_version_unique")
        ]

    def __str__(self):
        return gettext("%(nomination)s – lần %(number)s") % {
            "nomination": self.nomination,
            "number": self.number,
        }
