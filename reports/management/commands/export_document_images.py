import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.models import Document


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # A property, not gettext_lazy: argparse needs a real str for the description.
        return _(
            "Ghi trang 1 của mỗi văn bản đã ban hành thành ảnh PNG (cần pdftoppm của gói poppler-utils)."
        )

    def add_arguments(self, parser):
        parser.add_argument("--out", default="docs", help=_("Thư mục ghi ảnh (mặc định: docs)."))
        parser.add_argument("--dpi", type=int, default=60)

    def handle(self, *args, **options):
        if shutil.which("pdftoppm") is None:
            raise CommandError(_("Cần pdftoppm: cài gói Debian poppler-utils."))
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        latest = {}
        for document in Document.objects.order_by("issued_at"):
            latest[(document.kind, document.vote_round_id)] = document
        with tempfile.TemporaryDirectory() as scratch:
            for document in latest.values():
                source = Path(scratch) / f"{document.pk}.pdf"
                with document.pdf.open("rb") as handle:
                    source.write_bytes(handle.read())
                target = out / f"van-ban-{document.kind}"
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        str(options["dpi"]),
                        "-f",
                        "1",
                        "-l",
                        "1",
                        "-singlefile",
                        source,
                        target,
                    ],
                    check=True,
                )
                self.stdout.write(f"{target}.png  ({document.number_label}, {document.get_kind_display()})")
