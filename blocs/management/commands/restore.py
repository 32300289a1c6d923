from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from thiduabloc.backups import (
    BackupError,
    CheckResult,
    backup_check,
    backup_restore,
    format_created_at,
    migration_state,
)


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a real string, not a lazy one
        return _(
            "Khôi phục một bản sao lưu (tệp .zip của lệnh backup) vào một cơ sở dữ liệu trống vừa chạy migrate, "
            "kiểm tra mã SHA-256 của từng tệp và của mọi văn bản đã ban hành. Không bao giờ ghi đè dữ liệu có sẵn."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=_("Tệp .zip do lệnh backup tạo ra."))
        parser.add_argument(
            "--yes",
            action="store_true",
            help=_("Không hỏi xác nhận (chỉ bỏ câu hỏi; dữ liệu có sẵn vẫn không bao giờ bị ghi đè)."),
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help=_(
                "Chỉ kiểm tra bản sao lưu (mã SHA-256, số bản ghi, tệp PDF của văn bản đã ban hành), không ghi gì."
            ),
        )

    def handle(self, *args, path, yes=False, check=False, **options):
        try:
            if check:
                self._check(path)
            else:
                self._restore(path, ask=not yes)
        except BackupError as exc:
            raise CommandError(str(exc)) from None

    def _check(self, path):
        result = backup_check(path=path)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Bản sao lưu %(path)s (tạo lúc %(created)s) toàn vẹn: %(rows)d bản ghi, %(files)d tệp khớp mã "
                    "SHA-256, %(documents)d văn bản đã ban hành khớp tệp PDF."
                )
                % {
                    "path": path,
                    "created": format_created_at(result.manifest),
                    "rows": result.rows,
                    "files": result.files,
                    "documents": result.documents,
                }
            )
        )
        if result.manifest["migrations"] != migration_state():
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Lưu ý: trạng thái migration của bản sao lưu khác cơ sở dữ liệu hiện tại; chỉ khôi phục "
                        "được bằng đúng phiên bản mã nguồn đã tạo nó."
                    )
                )
            )

    def _restore(self, path, *, ask):
        def confirm(checked: CheckResult) -> bool:
            if not ask:
                return True
            question = _(
                "Khôi phục %(rows)d bản ghi và %(files)d tệp từ %(path)s (tạo lúc %(created)s) vào cơ sở dữ liệu "
                "%(database)s? Gõ “yes” để tiếp tục: "
            ) % {
                "rows": checked.rows,
                "files": checked.files,
                "path": path,
                "created": format_created_at(checked.manifest),
                "database": connections[DEFAULT_DB_ALIAS].settings_dict["NAME"],
            }
            try:
                return input(question).strip().lower() == "yes"
            except EOFError:
                raise BackupError(
                    _("Không có ai trả lời câu hỏi xác nhận; thêm --yes khi chạy không tương tác.")
                ) from None

        result = backup_restore(path=path, confirm=confirm)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Đã khôi phục %(rows)d bản ghi (%(models)d bảng) và ghi %(files)d tệp (%(present)d tệp đã có "
                    "sẵn, đúng nội dung); %(documents)d văn bản đã ban hành khớp mã SHA-256 (%(seconds)s giây)."
                )
                % {
                    "rows": result.rows,
                    "models": result.models,
                    "files": result.files_written,
                    "present": result.files_present,
                    "documents": result.documents,
                    "seconds": number_format(result.seconds, 1),
                }
            )
        )
