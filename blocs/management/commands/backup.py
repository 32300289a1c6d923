from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from thiduabloc.backups import BackupError, backup_create, default_backup_path


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a real string, not a lazy one
        return _(
            "Sao lưu cơ sở dữ liệu và các tệp lưu trữ (văn bản đã ban hành, minh chứng) vào một tệp .zip, "
            "kèm bản kê mã SHA-256 của từng tệp. Dùng được cho cả SQLite và PostgreSQL."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=_(
                "Tệp .zip cần ghi, hoặc thư mục để ghi vào (mặc định: var/backups/thiduabloc-NGÀYGIỜ.zip)."
            ),
        )

    def handle(self, *args, output=None, **options):
        if output is None:
            output = default_backup_path()
        elif output.is_dir():
            output = default_backup_path(output)
        try:
            result = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Đã sao lưu %(rows)d bản ghi (%(models)d bảng), %(files)d tệp, trong đó %(documents)d văn bản "
                    "đã ban hành, vào %(path)s (%(size)s, %(seconds)s giây)."
                )
                % {
                    "rows": result.rows,
                    "models": result.models,
                    "files": result.files,
                    "documents": result.documents,
                    "path": result.path,
                    "size": filesizeformat(result.size),
                    "seconds": number_format(result.seconds, 1),
                }
            )
        )
