import datetime

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thiduabloc.links import object_url
from thiduabloc.text import fold


class Province(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "tinh", _("Tỉnh")
        CITY = "thanh_pho", _("Thành phố")

    name = models.CharField(_("tên"), max_length=100, unique=True, help_text=_("Ví dụ: Cần Thơ"))
    kind = models.CharField(_("loại"), max_length=10, choices=Kind, default=Kind.PROVINCE)
    code = models.CharField(_("mã"), max_length=10, unique=True)

    class Meta:
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")
        ordering = ["name"]

    def __str__(self):
        # The label from the enum: get_kind_display() rebuilds the choices dict (pages print 50 provinces).
        return f"{self.Kind(self.kind).label} {self.name}"

    @property
    def prose_name(self) -> str:
        """As running text writes it: "thành phố Cần Thơ", "tỉnh Hà Tĩnh"."""
        return f"{str(self.Kind(self.kind).label).lower()} {self.name}"


class UnitQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def search(self, text: str):
        """Every word of ``text`` must appear, ignoring diacritics and case."""
        qs = self
        for word in fold(text).split():
            qs = qs.filter(search_text__contains=word)
        return qs


class Unit(models.Model):
    """An agency or association. Renamed or merged units are closed (valid_to) and point to their successor,
    so that past years keep the name they had."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="units", verbose_name=_("tỉnh, thành phố")
    )
    name = models.CharField(_("tên đầy đủ"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120)
    abbreviation = models.CharField(
        _("ký hiệu"), max_length=20, help_text=_("Dùng trong số văn bản, ví dụ: LHH trong “05/BC-LHH”.")
    )
    parent_body = models.CharField(_("cơ quan chủ quản"), max_length=255, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    head_name = models.CharField(_("họ tên thủ trưởng"), max_length=120, blank=True)
    head_title = models.CharField(_("chức vụ thủ trưởng"), max_length=120, blank=True)
    valid_from = models.DateField(_("hiệu lực từ ngày"))
    valid_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa"),
        help_text=_("Đơn vị tiếp nhận sau khi sáp nhập, hợp nhất hoặc đổi tên."),
    )
    search_text = models.CharField(max_length=600, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="unit_valid_to_after_valid_from",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
            ),
            models.CheckConstraint(
                condition=~Q(successor=F("id")),
                name="unit_successor_not_itself",
                violation_error_message=_("Một đơn vị không thể kế thừa chính nó."),
            ),
            models.UniqueConstraint(
                fields=["province", "abbreviation"],
                condition=Q(valid_to__isnull=True),
                name="unit_active_abbreviation_unique",
                violation_error_message=_(
                    "Đã có đơn vị đang hoạt động dùng ký hiệu này trong tỉnh, thành phố."
                ),
            ),
        ]
        # Units are listed in this order (search, admin): a word that many units share ("hội", "phường") is then
        # read in order until a page is full, instead of sorting every match (5,000 of 11,000 for "hội").
        indexes = [models.Index(fields=["name", "id"], name="unit_name_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return object_url("blocs:unit_detail", self.pk)

    def refresh_search_text(self):
        self.search_text = fold(f"{self.name} {self.short_name} {self.abbreviation}")

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class BlocQuerySet(models.QuerySet):
    def search(self, text: str):
        qs = self
        for word in fold(text).split():
            qs = qs.filter(search_text__contains=word)
        return qs


class Bloc(models.Model):
    class Kind(models.TextChoices):
        KHOI = "khoi", _("Khối thi đua")
        CUM = "cum", _("Cụm thi đua")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="blocs", verbose_name=_("tỉnh, thành phố")
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind, default=Kind.KHOI)
    number = models.PositiveSmallIntegerField(_("số"))
    name = models.CharField(_("tên"), max_length=255)
    document_code = models.CharField(
        _("ký hiệu trên văn bản"),
        max_length=20,
        blank=True,
        help_text=_(
            "Phần sau dấu gạch trong số văn bản, ví dụ KTĐ1 trong “05/BC-KTĐ1”. Để trống: tự tạo từ số khối."
        ),
    )
    search_text = models.CharField(max_length=600, editable=False, default="")

    objects = BlocQuerySet.as_manager()

    class Meta:
        verbose_name = _("khối, cụm thi đua")
        verbose_name_plural = _("khối, cụm thi đua")
        ordering = ["province__name", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "kind", "number"],
                name="bloc_number_unique_in_province",
                violation_error_message=_("Số khối, cụm này đã có trong tỉnh, thành phố."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = fold(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return object_url("blocs:bloc_detail", self.pk)

    @property
    def issuer_code(self) -> str:
        return self.document_code or f"{'K' if self.kind == self.Kind.KHOI else 'C'}TĐ{self.number}"


class RotationSlot(models.Model):
    """A unit's place in the order in which the bloc's head role rotates."""

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="rotation", verbose_name=_("khối"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rotation_slots", verbose_name=_("đơn vị")
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("thứ tự luân phiên")
        verbose_name_plural = _("thứ tự luân phiên")
        ordering = ["bloc", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "position"], name="rotation_position_unique"),
            models.UniqueConstraint(fields=["bloc", "unit"], name="rotation_unit_unique"),
        ]

    def __str__(self):
        return f"{self.position}. {self.unit}"


class BlocYear(models.Model):
    """A bloc in one year: its members and who is head and deputy."""

    class Basis(models.TextChoices):
        ROTATION = "rotation", _("Luân phiên theo quy chế")
        COUNCIL = "council", _("Theo thông báo của Hội đồng Thi đua – Khen thưởng")

    bloc = models.ForeignKey(Bloc, on_delete=models.PROTECT, related_name="years", verbose_name=_("khối"))
    year = models.PositiveSmallIntegerField(_("năm"))
    basis = models.CharField(_("căn cứ phân công"), max_length=10, choices=Basis, default=Basis.ROTATION)
    notice_number = models.CharField(_("số thông báo"), max_length=60, blank=True)
    notice_date = models.DateField(_("ngày thông báo"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("năm của khối")
        verbose_name_plural = _("năm của khối")
        ordering = ["bloc", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year"],
                name="bloc_year_unique",
                violation_error_message=_("Năm này của khối đã được phân công."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="bloc_year_in_range",
                violation_error_message=_("Năm phải trong khoảng 2000–2100."),
            ),
            models.CheckConstraint(
                condition=~Q(basis="council") | (~Q(notice_number="") & Q(notice_date__isnull=False)),
                name="bloc_year_council_notice_recorded",
                violation_error_message=_("Phân công theo Hội đồng phải ghi số và ngày thông báo."),
            ),
        ]
        # The reward board's pages filter by year across blocs, and the overview starts from the latest year.
        indexes = [models.Index(fields=["year"], name="bloc_year_year_idx")]

    def __str__(self):
        return f"{self.bloc} – {self.year}"

    def get_absolute_url(self):
        # The bloc's page starting at this year (it shows a few years at a time).
        return f"{self.bloc.get_absolute_url()}?until={self.year}#nam-{self.year}"

    def role_of(self, role: str):
        """The unit holding ``role``, from prefetched memberships when there are some."""
        return next((m.unit for m in self.memberships.all() if m.role == role), None)

    @property
    def head(self):
        return self.role_of(Membership.Role.HEAD)

    @property
    def deputy(self):
        return self.role_of(Membership.Role.DEPUTY)


class Membership(models.Model):
    class Role(models.TextChoices):
        HEAD = "head", _("Khối trưởng")
        DEPUTY = "deputy", _("Khối phó")
        MEMBER = "member", _("Thành viên")

    bloc_year = models.ForeignKey(
        BlocYear, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("năm của khối")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role, default=Role.MEMBER)

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["bloc_year", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "unit"],
                name="membership_unit_once_per_year",
                violation_error_message=_("Đơn vị đã là thành viên của khối trong năm này."),
            ),
            # At most one head and one deputy per bloc-year, whoever writes the rows.
            models.UniqueConstraint(
                fields=["bloc_year"],
                condition=Q(role="head"),
                name="membership_one_head_per_year",
                violation_error_message=_("Mỗi năm khối chỉ có một Khối trưởng."),
            ),
            models.UniqueConstraint(
                fields=["bloc_year"],
                condition=Q(role="deputy"),
                name="membership_one_deputy_per_year",
                violation_error_message=_("Mỗi năm khối chỉ có một Khối phó."),
            ),
        ]

    def __str__(self):
        return f"{self.unit} ({self.get_role_display()}, {self.bloc_year.year})"


class Handover(models.Model):
    """The head role passing from one unit to another, usually at the year-end conference."""

    bloc_year = models.OneToOneField(
        BlocYear,
        on_delete=models.CASCADE,
        related_name="handover",
        verbose_name=_("năm nhận bàn giao"),
    )
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="handovers_given", verbose_name=_("Khối trưởng bàn giao")
    )
    to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="handovers_received", verbose_name=_("Khối trưởng nhận")
    )
    handed_over_on = models.DateField(_("ngày bàn giao"))
    recorded_by = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("bàn giao Khối trưởng")
        verbose_name_plural = _("bàn giao Khối trưởng")
        ordering = ["-handed_over_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_unit=F("to_unit")),
                name="handover_between_two_units",
                violation_error_message=_("Đơn vị bàn giao và đơn vị nhận phải khác nhau."),
            ),
        ]

    def __str__(self):
        return f"{self.from_unit} → {self.to_unit} ({self.handed_over_on:%d/%m/%Y})"


class UserManager(BaseUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class Blocker(models.Model):
    """Something that stops a unit from being proposed for an award while it lasts (DOMAIN.md §1)."""

    class Kind(models.TextChoices):
        DISCIPLINE = "discipline", _("Đang bị xem xét kỷ luật")
        INVESTIGATION = "investigation", _("Đang bị điều tra")
        INSPECTION = "inspection", _("Đang bị thanh tra, kiểm tra có dấu hiệu vi phạm")
        COMPLAINT = "complaint", _("Có đơn thư khiếu nại, tố cáo đang xác minh")

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="blockers", verbose_name=_("đơn vị")
    )
    kind = models.CharField(_("trường hợp"), max_length=15, choices=Kind)
    started_on = models.DateField(_("từ ngày"))
    ended_on = models.DateField(
        _("đến ngày"), null=True, blank=True, help_text=_("Để trống khi chưa kết thúc.")
    )
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now)

    class Meta:
        verbose_name = _("trường hợp không được đề nghị khen thưởng")
        verbose_name_plural = _("trường hợp không được đề nghị khen thưởng")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="blocker_ends_after_it_starts",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu."),
            ),
        ]

    def __str__(self):
        return f"{self.unit}: {self.get_kind_display()}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)

    def describe(self) -> str:
        until = f" đến {self.ended_on:%d/%m/%Y}" if self.ended_on else ""
        return f"{self.get_kind_display()} (từ {self.started_on:%d/%m/%Y}{until})"


class User(AbstractUser):
    class Role(models.TextChoices):
        FOCAL = "focal", _("Cán bộ phụ trách thi đua của đơn vị")
        SECRETARY = "secretary", _("Thư ký khối")
        REVIEWER = "reviewer", _("Chuyên viên Ban Thi đua – Khen thưởng")
        ADMIN = "admin", _("Quản trị viên")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role, default=Role.FOCAL)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["focal", "secretary"]) | Q(unit__isnull=False),
                name="user_unit_staff_has_unit",
                violation_error_message=_("Cán bộ đơn vị và thư ký khối phải thuộc một đơn vị."),
            ),
        ]
        # The administrator's dashboard counts the active accounts without an email (a seq scan of every user).
        indexes = [
            models.Index(fields=["is_active"], condition=Q(email=""), name="user_without_email_idx"),
        ]

    def get_full_name(self):
        # Vietnamese order: family name first.
        return " ".join(part for part in (self.last_name, self.first_name) if part).strip()

    @property
    def display_name(self):
        return self.get_full_name() or self.username

    @property
    def reads_every_bloc(self) -> bool:
        return self.is_superuser or self.role in {self.Role.REVIEWER, self.Role.ADMIN}


class AuditEntry(models.Model):
    """Who changed what, when: one row per state change made by a service."""

    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_name = models.CharField(_("tên người thực hiện"), max_length=150, blank=True)
    action = models.CharField(_("thao tác"), max_length=60)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=40)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(_("đối tượng"), max_length=255)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.actor_name or '—'}: {self.action} {self.target_repr}"


class UnitImport(models.Model):
    """An uploaded unit list that passed validation and waits for the administrator's confirmation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xác nhận")
        APPLIED = "applied", _("Đã nhập")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("tỉnh"))
    file_name = models.CharField(_("tên tệp"), max_length=255)
    content = models.BinaryField(_("nội dung"))
    row_count = models.PositiveIntegerField(_("số dòng"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status, default=Status.PENDING)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("thời điểm tải lên"), default=timezone.now)
    applied_at = models.DateTimeField(_("thời điểm nhập"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập đơn vị")
        verbose_name_plural = _("lần nhập đơn vị")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"


class Notification(models.Model):
    """An email sent (or to be sent) to a user; one per user and key, so that nothing is sent twice."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thư thông báo")
        verbose_name_plural = _("thư thông báo")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user_and_key")
        ]

    def __str__(self):
        return f"{self.user}: {self.subject}"
