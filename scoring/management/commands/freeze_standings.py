from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from scoring.models import Campaign
from scoring.selectors import freeze_standings


class Command(BaseCommand):
    @property
    def help(self):
        # A plain str: argparse cannot format a lazy translation.
        return _(
            "Lưu kết quả xếp hạng của các phong trào đã qua hội nghị tổng kết mà chưa được lưu (dùng cho trang lịch "
            "sử của khối và đơn vị). Chạy một lần sau khi nâng cấp; chạy lại không thay đổi gì."
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = freeze_standings(Campaign.objects.all())
        self.stdout.write(_("Đã lưu kết quả xếp hạng của %(count)s phong trào.") % {"count": count})
