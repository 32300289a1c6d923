"""Backup and restore: `manage.py backup` writes one archive, `manage.py restore` brings it back into an empty,
migrated database with the same rows and the same issued PDFs, or refuses and changes nothing.

Transactional tests: a restore needs a database it can really empty (flush) and fill in its own transaction."""

import datetime
import hashlib
import importlib
import io
import json
import re
import shutil
import zipfile

import pytest
from django.apps import apps as django_apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from blocs.demo import DEMO_PASSWORD
from blocs.models import AuditEntry, Unit
from reports import services as report_services
from reports.models import Document
from scoring import services as scoring_services
from scoring.models import AwardType, Campaign, Criterion, Evidence, ScoreSheet
from tests.factories import criteria_by_code
from thiduabloc.backups import RECREATED_BY_MIGRATE, backup_models, data_models

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def stored(private_media, settings, tmp_path):
    """Both storage roots in throw-away folders; returns them by the names the archive uses."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return {"private": private_media, "media": settings.MEDIA_ROOT}


@pytest.fixture
def small_site(stored, scoring_campaign, sheets):
    """Bloc A's campaign in scoring, with one uploaded evidence file."""
    criterion = criteria_by_code(scoring_campaign)["1.1"]
    scoring_services.evidence_add(
        actor=None, sheet=sheets[3], criterion=criterion, upload=SimpleUploadedFile("bien-ban.pdf", PDF)
    )
    return stored


def applied_migrations(app: str) -> list[str]:
    """The app's migrations applied to the test database, in name order (as the manifest lists them)."""
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(name for label, name in applied if label == app)


def every_row() -> dict:
    """Every backed-up row in a canonical form, with Django's own serializer (not the backup's): primary keys
    kept, foreign keys by natural key where the model has one; content types and permissions, whose ids
    `migrate` picks, as a set of natural keys."""
    rows = {}
    for model in backup_models():
        queryset = model._base_manager.order_by("pk")
        if model._meta.label_lower in RECREATED_BY_MIGRATE:
            rows[model._meta.label] = {obj.natural_key() for obj in queryset}
        else:
            rows[model._meta.label] = serializers.serialize("python", queryset, use_natural_foreign_keys=True)
    return rows


def stored_files(roots: dict) -> dict:
    """{(root, relative path): SHA-256} of every file under the storage roots."""
    return {
        (name, path.relative_to(root).as_posix()): hashlib.sha256(path.read_bytes()).hexdigest()
        for name, root in roots.items()
        if root.exists()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def document_hashes() -> dict:
    """{document pk: (number, recorded SHA-256, SHA-256 of the stored PDF's bytes)}."""
    return {
        doc.pk: (doc.number, doc.sha256, hashlib.sha256(doc.pdf.read()).hexdigest())
        for doc in Document.objects.order_by("pk")
    }


def data_rows() -> int:
    return sum(model._base_manager.count() for model in data_models())


def empty_site(roots: dict, *, shift_catalogue_ids=False) -> None:
    """What a new server has: a migrated database with nothing in it but what migrations create (content types,
    permissions, the award catalogue and base salaries seeded by scoring 0002 and 0005), no stored files."""
    call_command("flush", interactive=False, verbosity=0)
    for root in roots.values():
        shutil.rmtree(root, ignore_errors=True)
    if shift_catalogue_ids:  # the seeded rows then carry other ids than the archive's
        AwardType.objects.create(code="tam", name="Tạm", short_name="Tạm").delete()
    for migration in ("0002_seed_award_types", "0005_seed_base_salary"):
        importlib.import_module(f"scoring.migrations.{migration}").seed(django_apps, None)


def backup(path) -> str:
    out = io.StringIO()
    call_command("backup", output=path, stdout=out)
    return out.getvalue()


def restore(path, **options) -> str:
    out = io.StringIO()
    call_command("restore", path, yes=True, stdout=out, **options)
    return out.getvalue()


def rewrite(source, target, changes: dict, *, fix_manifest=False):
    """Copy an archive, changing members (name → function of the bytes); with ``fix_manifest``, the manifest's
    SHA-256 follows the change, as a careful forger would do."""
    with zipfile.ZipFile(source) as old:
        contents = {name: old.read(name) for name in old.namelist()}
    for name, change in changes.items():
        contents[name] = change(contents[name])
    if fix_manifest:
        manifest = json.loads(contents["manifest.json"])
        for entry in manifest["data"] + manifest["files"]:
            if entry["path"] in changes:
                entry["sha256"] = hashlib.sha256(contents[entry["path"]]).hexdigest()
        contents["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as new:
        for name, content in contents.items():
            new.writestr(name, content)
    return target


def member(archive, *, start="", end="") -> str:
    with zipfile.ZipFile(archive) as opened:
        return next(name for name in opened.namelist() if name.startswith(start) and name.endswith(end))


def test_a_backup_restores_into_an_empty_database_with_the_same_rows_and_pdfs(stored, tmp_path, client):
    call_command("load_demo", stdout=io.StringIO())
    current = Campaign.objects.get(bloc_year__bloc__number=1, bloc_year__year=2023)
    sheet = current.sheets.filter(status=ScoreSheet.Status.DRAFT).first()
    scoring_services.evidence_add(
        actor=None,
        sheet=sheet,
        criterion=Criterion.objects.filter(group__campaign=current).first(),
        upload=SimpleUploadedFile("bien-ban-hop.pdf", PDF),
    )
    rows_before = every_row()
    files_before = stored_files(stored)
    documents_before = document_hashes()
    assert len(documents_before) == 4 and Evidence.objects.count() == 1
    assert all(recorded == actual for _number, recorded, actual in documents_before.values())

    archive = tmp_path / "thiduabloc.zip"
    assert "4 văn bản đã ban hành" in backup(archive)
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    assert {(entry["root"], entry["name"]): entry["sha256"] for entry in manifest["files"]} == files_before
    assert manifest["migrations"]["scoring"] == applied_migrations("scoring")
    counts = {entry["model"]: entry["count"] for entry in manifest["data"]}
    assert counts["blocs.unit"] == Unit.objects.count() and counts["reports.document"] == 4

    empty_site(stored, shift_catalogue_ids=True)
    assert data_rows() == 0 and stored_files(stored) == {}
    output = restore(archive)

    assert "4 văn bản đã ban hành khớp mã SHA-256" in output
    assert every_row() == rows_before
    assert stored_files(stored) == files_before
    assert document_hashes() == documents_before
    assert Evidence.objects.get().file.read() == PDF

    # The site works: a demo secretary logs in with the restored password and sees the dashboard …
    response = client.post(reverse("login"), {"username": "thuky.khkt", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    dashboard = client.get(reverse("blocs:dashboard"))
    assert dashboard.status_code == 200 and "Khối thi đua" in dashboard.text
    # … and new rows take fresh ids (PostgreSQL's sequences were moved past the restored ones).
    last_document, last_entry = Document.objects.order_by("pk").last().pk, AuditEntry.objects.last().pk
    reissued = report_services.document_issue(
        actor=None,
        campaign=Campaign.objects.get(bloc_year__bloc__number=1, bloc_year__year=2022),
        kind=Document.Kind.MINUTES,
        issued_on=datetime.date(2022, 12, 30),
    )
    assert reissued.pk > last_document and reissued.version == 2
    assert AuditEntry.objects.order_by("pk").last().pk > last_entry


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(small_site, tmp_path):
    archive = tmp_path / "thiduabloc.zip"
    backup(archive)
    rows_before, files_before = every_row(), stored_files(small_site)

    with pytest.raises(CommandError, match=r"Cơ sở dữ liệu đích đã có dữ liệu: .*đơn vị"):
        restore(archive)

    assert every_row() == rows_before
    assert stored_files(small_site) == files_before


def test_restore_refuses_a_tampered_file_and_changes_nothing(small_site, tmp_path):
    archive = tmp_path / "thiduabloc.zip"
    backup(archive)
    evidence = member(archive, start="files/private/")
    tampered = rewrite(archive, tmp_path / "tampered.zip", {evidence: lambda content: content + b"%"})
    assert "toàn vẹn" in restore(archive, check=True)
    with pytest.raises(CommandError, match=f"{re.escape(evidence)} .*không khớp mã SHA-256"):
        restore(tampered, check=True)

    empty_site(small_site)
    with pytest.raises(CommandError, match="bị hỏng hoặc đã bị sửa"):
        restore(tampered)

    assert data_rows() == 0
    assert stored_files(small_site) == {}


def test_a_failure_after_loading_rolls_back_the_rows_and_removes_the_files_written(small_site, tmp_path):
    archive = tmp_path / "thiduabloc.zip"
    backup(archive)

    def orphan(content):  # evidence of a line that does not exist: only the database can tell
        rows = json.loads(content)
        rows[0]["fields"]["line"] = 999_999
        return json.dumps(rows).encode()

    data = member(archive, start="database/", end="-scoring.evidence.json")
    forged = rewrite(archive, tmp_path / "forged.zip", {data: orphan}, fix_manifest=True)
    empty_site(small_site)

    with pytest.raises(CommandError, match=r"(?s)khóa ngoại.*Đã hoàn tác"):
        restore(forged)

    assert data_rows() == 0
    assert stored_files(small_site) == {}
    assert AwardType.objects.count() == 5  # the seeded catalogue is back as migrate left it


def test_restore_refuses_an_archive_of_other_migrations(small_site, tmp_path):
    archive = tmp_path / "thiduabloc.zip"
    backup(archive)

    *kept, _last = applied_migrations("scoring")

    def older(content):
        manifest = json.loads(content)
        manifest["migrations"]["scoring"] = kept
        return json.dumps(manifest).encode()

    older_archive = rewrite(archive, tmp_path / "older.zip", {"manifest.json": older})
    empty_site(small_site)

    with pytest.raises(CommandError, match=rf"trạng thái migration khác.*scoring \(bản sao lưu: {kept[-1]}"):
        restore(older_archive)
    assert data_rows() == 0


def test_restore_refuses_to_overwrite_a_stored_file_with_other_content(small_site, tmp_path):
    archive = tmp_path / "thiduabloc.zip"
    backup(archive)
    (name,) = [name for root, name in stored_files(small_site) if root == "private"]
    empty_site(small_site)
    clash = small_site["private"] / name
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"another file")

    with pytest.raises(CommandError, match="đã có với nội dung khác bản sao lưu"):
        restore(archive)

    assert data_rows() == 0
    assert clash.read_bytes() == b"another file"


def test_restore_asks_before_writing_and_stops_on_no(small_site, tmp_path, monkeypatch):
    archive = tmp_path / "thiduabloc.zip"
    backup(archive)
    empty_site(small_site)
    monkeypatch.setattr("builtins.input", lambda question: "no")

    with pytest.raises(CommandError, match="Đã hủy"):
        call_command("restore", archive, stdout=io.StringIO())
    assert data_rows() == 0


def test_backup_refuses_when_an_issued_pdf_no_longer_matches_its_hash(small_site, scoring_campaign, tmp_path):
    document = Document(
        campaign=scoring_campaign,
        kind=Document.Kind.REPORT,
        bloc=scoring_campaign.bloc_year.bloc,
        year=2023,
        type_code="BC",
        number=1,
        issued_on=datetime.date(2023, 12, 28),
        snapshot={},
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    document.pdf.save("bao-cao.pdf", ContentFile(PDF))
    backup(tmp_path / "before.zip")
    with open(document.pdf.path, "ab") as pdf:  # the file on disk changed after it was issued
        pdf.write(b"%")

    with pytest.raises(CommandError, match="không còn khớp mã SHA-256"):
        backup(tmp_path / "thiduabloc.zip")
    assert not list(tmp_path.glob("thiduabloc.zip*"))
