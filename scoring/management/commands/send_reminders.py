import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from scoring.reminders import send_due_reminders


class Command(BaseCommand):
    @property
    def help(self):
        # A plain str: argparse cannot format a lazy translation.
        return _("Gửi thư nhắc việc trước các mốc thời gian của phong trào. Chạy hằng ngày; không gửi lặp.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help=_("Ngày tính nhắc việc, dạng YYYY-MM-DD (mặc định: hôm nay)."))

    def handle(self, *args, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(_("--today phải có dạng YYYY-MM-DD.")) from None
        with transaction.atomic():
            count = send_due_reminders(day)
        self.stdout.write(_("Đã tạo %(count)s thư nhắc việc mới.") % {"count": count})
