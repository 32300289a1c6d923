from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc
from scoring.models import Campaign, PrivateStorage, VoteRound
from thiduabloc.links import object_url


class Narrative(models.Model):
    """The written sections of a year-end report. Every save is a new version; one may be marked as the version
    the conference adopted."""

    SECTIONS = (
        ("strengths", _("Ưu điểm")),
        ("limitations", _("Hạn chế và nguyên nhân")),
        ("lessons", _("Bài học kinh nghiệm")),
        ("direction", _("Phương hướng, nhiệm vụ năm sau")),
        ("proposals", _("Đề xuất, kiến nghị")),
    )

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="narratives")
    number = models.PositiveSmallIntegerField(_("bản"))
    strengths = models.TextField(_("ưu điểm"), blank=True)
    limitations = models.TextField(_("hạn chế và nguyên nhân"), blank=True)
    lessons = models.TextField(_("bài học kinh nghiệm"), blank=True)
    direction = models.TextField(_("phương hướng, nhiệm vụ năm sau"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    adopted = models.BooleanField(_("bản được hội nghị thông qua"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dự thảo báo cáo tổng kết")
        verbose_name_plural = _("dự thảo báo cáo tổng kết")
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="narrative_number_unique"),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(adopted=True), name="narrative_one_adopted"
            ),
        ]

    def __str__(self):
        return f"Dự thảo báo cáo {self.campaign.bloc_year} – bản {self.number}"


class DocumentCounter(models.Model):
    """The last number given in a bloc's series of documents for a year and a type (BC, BB, TTr…)."""

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    type_code = models.CharField(max_length=10)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year", "type_code"], name="document_counter_unique"),
        ]

    def __str__(self):
        return f"{self.bloc} {self.year} {self.type_code}: {self.last_number}"


class Document(models.Model):
    """An issued document: its number fixed, its figures frozen (snapshot) and its PDF stored once."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Báo cáo tổng kết")
        MINUTES = "minutes", _("Biên bản hội nghị tổng kết")
        COUNT_MINUTES = "count_minutes", _("Biên bản kiểm phiếu")
        REQUEST = "request", _("Tờ trình đề nghị khen thưởng")
        SCORE_TABLE = "score_table", _("Bảng tổng hợp điểm")
        COVENANT = "covenant", _("Bản giao ước thi đua")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("loại văn bản"), max_length=15, choices=Kind)
    vote_round = models.ForeignKey(
        VoteRound, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    narrative = models.ForeignKey(
        Narrative, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bloc = models.ForeignKey(Bloc, on_delete=models.PROTECT, related_name="documents")
    year = models.PositiveSmallIntegerField(_("năm của sổ văn bản"))
    type_code = models.CharField(_("ký hiệu loại"), max_length=10)
    number = models.PositiveIntegerField(_("số"))
    version = models.PositiveSmallIntegerField(_("lần ban hành"), default=1)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("thay thế"),
    )
    issued_on = models.DateField(_("ngày ban hành"))
    issued_at = models.DateTimeField(_("thời điểm ban hành"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    snapshot = models.JSONField(_("số liệu tại thời điểm ban hành"))
    pdf = models.FileField(storage=PrivateStorage(), upload_to="documents/%Y/", max_length=300)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("văn bản đã ban hành")
        verbose_name_plural = _("văn bản đã ban hành")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year", "type_code", "number"], name="document_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.number_label} – {self.get_kind_display()}"

    def get_absolute_url(self):
        return object_url("reports:document_pdf", self.pk)

    @property
    def number_label(self) -> str:
        return self.snapshot.get("number_label", f"{self.number:02d}/{self.type_code}")
