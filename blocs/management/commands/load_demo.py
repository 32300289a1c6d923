from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from blocs.demo import DEMO_PASSWORD, load_demo, set_demo_emails
from reports.demo import load_reports_demo
from scoring.demo import load_scoring_demo


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a real string, not a lazy one
        return _(
            "Nạp dữ liệu mẫu (khối thi đua của Cần Thơ và tài khoản dùng thử). Chạy lại nhiều lần không sao."
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            logins = load_demo()
            load_scoring_demo()
            load_reports_demo()
            # Addresses last, so that building the demo history mails nobody; from now on reminders reach them.
            set_demo_emails()
        self.stdout.write(self.style.SUCCESS(_("Dữ liệu mẫu đã sẵn sàng.")))
        self.stdout.write(
            _("Tài khoản dùng thử (mật khẩu chung: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<18} {role} – {unit}")
