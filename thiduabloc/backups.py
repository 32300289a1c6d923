"""Portable backups: the database as Django JSON fixtures plus every stored file, in one zip with a manifest.

The same archive works on SQLite and PostgreSQL; docs/BACKUP.md explains the choices and the pg_dump way.

Archive layout::

    manifest.json                                   format, created at, Django version, migration state,
                                                    one entry per data file (model, row count, SHA-256) and
                                                    per stored file (size, SHA-256)
    database/001-contenttypes.contenttype.json      one Django fixture per model, in loading order
    files/private/documents/2026/…pdf               PRIVATE_MEDIA_ROOT (issued documents, evidence)
    files/media/…                                   MEDIA_ROOT, when it holds anything

Rows keep their primary keys (generic relations such as AuditEntry.target_id and admin LogEntry.object_id, and
every URL, refer to them), except content types and permissions: ``migrate`` recreates those in every database
with ids of its own, so they are written and referred to by natural key, as ``dumpdata --natural-foreign``
does for them.
"""

import datetime
import hashlib
import io
import json
import logging
import os
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FORMAT = "thiduabloc-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024

# Sign-ins, not data: a restored site makes everyone log in again.
EXCLUDED_MODELS = {"sessions.session"}
# Rows that `migrate` itself creates (post_migrate signal), with ids that differ from one database to another.
RECREATED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}
# Rows that data migrations put into every migrated database (scoring 0002_seed_award_types,
# 0005_seed_base_salary). They are reference data, not the site's data: a restore replaces them with the
# archive's rows, which carry the administrator's edits and the ids the other rows refer to.
SEEDED_BY_MIGRATIONS = {"scoring.awardtype", "scoring.basesalary"}


class BackupError(Exception):
    """A backup or restore refused, with a message for the operator."""


@dataclass
class BackupResult:
    path: Path
    size: int
    models: int
    rows: int
    files: int
    documents: int
    seconds: float


@dataclass
class CheckResult:
    manifest: dict
    rows: int
    files: int
    documents: int


@dataclass
class RestoreResult:
    models: int
    rows: int
    files_written: int
    files_present: int
    documents: int
    seconds: float


@dataclass
class _FileRef:
    """A file the database refers to: ``name`` inside the storage root ``root``."""

    model: str
    pk: object
    root: str
    name: str


@dataclass
class _Restore:
    """What a restore has written so far, to undo it if a later step fails."""

    files: list[Path] = field(default_factory=list)
    directories: list[Path] = field(default_factory=list)

    def undo(self) -> None:
        for path in reversed(self.files):
            path.unlink(missing_ok=True)
        for directory in reversed(self.directories):
            with suppress(OSError):  # not empty: something else lives there now
                directory.rmdir()


# ---------------------------------------------------------------------------------------------------------------
# Which models, which files


def _recreated(model) -> bool:
    return model._meta.label_lower in RECREATED_BY_MIGRATE


def backup_models() -> list[type[models.Model]]:
    """Every model whose rows are backed up, in loading order (content types and permissions first)."""
    app_list = [(config, None) for config in apps.get_app_configs()]
    ordered = [
        model
        for model in serializers.sort_dependencies(app_list, allow_cycles=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in EXCLUDED_MODELS
    ]
    return sorted(ordered, key=lambda model: not _recreated(model))


def data_models() -> list[type[models.Model]]:
    """The models that hold the site's data: an empty database has no row in any of them."""
    return [
        model
        for model in backup_models()
        if not _recreated(model) and model._meta.label_lower not in SEEDED_BY_MIGRATIONS
    ]


def file_roots() -> dict[str, Path]:
    return {"private": Path(settings.PRIVATE_MEDIA_ROOT), "media": Path(settings.MEDIA_ROOT)}


def _root_of(model, file_field) -> str:
    location = os.path.abspath(file_field.storage.location)
    for name, root in file_roots().items():
        if os.path.abspath(root) == location:
            return name
    raise BackupError(
        _(
            "Trường tệp %(field)s dùng thư mục %(location)s, không nằm trong PRIVATE_MEDIA_ROOT hay MEDIA_ROOT."
        )
        % {"field": f"{model._meta.label}.{file_field.name}", "location": location}
    )


def _file_fields(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _referenced_files(using: str) -> list[_FileRef]:
    """Every file a row of the database refers to."""
    refs = []
    for model in backup_models():
        for file_field in _file_fields(model):
            root = _root_of(model, file_field)
            rows = model._base_manager.using(using).exclude(**{file_field.attname: ""})
            for pk, name in rows.values_list("pk", file_field.attname).order_by("pk").iterator():
                if name:
                    refs.append(_FileRef(model._meta.label, pk, root, name))
    return refs


def _archive_path(root: str, name: str) -> str:
    return f"files/{root}/{name}"


def _safe_destination(entry: dict) -> Path:
    """Where a stored file of the archive goes; refuses names that would land outside its root."""
    roots = file_roots()
    name = PurePosixPath(entry.get("name", ""))
    if (
        entry.get("root") not in roots
        or entry.get("path") != _archive_path(entry.get("root"), entry.get("name"))
        or name.is_absolute()
        or not name.parts
        or any(part in {"", ".", ".."} for part in name.parts)
    ):
        raise BackupError(
            _("Đường dẫn không hợp lệ trong bản sao lưu: %(path)s.") % {"path": entry.get("path")}
        )
    return roots[entry["root"]].joinpath(*name.parts)


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _hash_member(archive: zipfile.ZipFile, path: str) -> str:
    digest = hashlib.sha256()
    try:
        with archive.open(path) as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
    except KeyError:
        raise BackupError(_("Bản sao lưu thiếu tệp %(path)s ghi trong manifest.") % {"path": path}) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(
            _("Không đọc được tệp %(path)s trong bản sao lưu: %(error)s") % {"path": path, "error": exc}
        ) from None
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Serialization


class _FixtureSerializer(JSONSerializer):
    """Django's JSON fixtures, with natural keys for content types and permissions only.

    Django 6.1's serializer asks these three hooks whether a model has a natural key; answering "no" for every
    other model keeps their primary keys (``use_natural_primary_keys`` alone would drop the users' ids)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._natural_keys = {}

    def _model_supports_natural_key(self, model):
        return _recreated(model)

    def _resolve_natural_key(self, obj):
        return obj.natural_key() if _recreated(obj) else None

    def _resolve_fk_natural_key(self, obj, field):
        model = field.remote_field.model
        pk = getattr(obj, field.attname)
        if not _recreated(model) or pk is None:
            return None
        # Every audit entry points at a content type: look each one up once, not once per row.
        if (model, pk) not in self._natural_keys:
            self._natural_keys[model, pk] = model._base_manager.get(pk=pk).natural_key()
        return self._natural_keys[model, pk]


class _ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to the millisecond; a backup keeps the microseconds the database holds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _HashingWriter(io.RawIOBase):
    """Passes bytes on to ``target`` and hashes them on the way."""

    def __init__(self, target):
        self.target = target
        self.digest = hashlib.sha256()

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.target.write(data)
        return len(data)


def _counted(iterable, counter: list[int]) -> Iterator:
    for item in iterable:
        counter[0] += 1
        yield item


def _queryset(model, using: str):
    queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
    if _recreated(model):  # a permission's natural key names its content type
        relations = [
            f.name for f in model._meta.concrete_fields if f.many_to_one and _recreated(f.related_model)
        ]
        if relations:
            queryset = queryset.select_related(*relations)
    m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    if m2m:
        queryset = queryset.prefetch_related(*m2m)
    return queryset


def migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The applied migrations of each app, by name."""
    state = defaultdict(list)
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        state[app_label].append(name)
    return {app_label: sorted(names) for app_label, names in sorted(state.items())}


@contextmanager
def _snapshot(using: str):
    """One read transaction, so that every table is dumped as it was at the same instant.

    PostgreSQL: REPEATABLE READ, so every query sees the snapshot of the first one (READ COMMITTED, the
    default, would take a new snapshot per query). SQLite: the transaction holds the database's lock; other
    writers wait (up to the connection's timeout) until the dump ends."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


# ---------------------------------------------------------------------------------------------------------------
# Backup


def default_backup_path(directory: Path | None = None) -> Path:
    directory = directory or Path(settings.BASE_DIR) / "var" / "backups"
    return directory / f"thiduabloc-{timezone.localtime():%Y%m%d-%H%M%S}.zip"


def backup_create(*, output: Path, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write the database and every stored file into one new zip archive at ``output``.

    The archive is written under a temporary name and renamed when complete, readable by its owner only (it
    holds password hashes and private evidence). Raises BackupError, leaving nothing behind, when the archive
    exists already, when a file the database refers to is missing, or when an issued document's PDF no longer
    matches the SHA-256 recorded when it was issued (a backup that `restore` would refuse is no backup)."""
    started = time.monotonic()
    output = Path(output)
    if output.exists():
        raise BackupError(_("Tệp %(path)s đã tồn tại; chọn tên khác.") % {"path": output})
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as stream:
            with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                manifest = _write_archive(archive, using)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    rows = sum(entry["count"] for entry in manifest["data"])
    result = BackupResult(
        path=output,
        size=output.stat().st_size,
        models=len(manifest["data"]),
        rows=rows,
        files=len(manifest["files"]),
        documents=manifest["documents"],
        seconds=time.monotonic() - started,
    )
    logger.info("Backup written to %s: %d rows, %d files, %d bytes", output, rows, result.files, result.size)
    return result


def _write_archive(archive: zipfile.ZipFile, using: str) -> dict:
    from reports.models import Document

    data = []
    with _snapshot(using):
        state = migration_state(using)
        for index, model in enumerate(backup_models(), start=1):
            label = model._meta.label_lower
            path = f"database/{index:03d}-{label}.json"
            info = zipfile.ZipInfo(path, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            counter = [0]
            with archive.open(info, "w") as member:
                writer = _HashingWriter(member)
                text = io.TextIOWrapper(io.BufferedWriter(writer), encoding="utf-8")
                _FixtureSerializer().serialize(
                    _counted(_queryset(model, using).iterator(chunk_size=2000), counter),
                    stream=text,
                    cls=_ExactJSONEncoder,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=True,
                )
                text.flush()
                text.detach()
            data.append(
                {"path": path, "model": label, "count": counter[0], "sha256": writer.digest.hexdigest()}
            )
        references = _referenced_files(using)
        documents = list(
            Document._base_manager.using(using).values_list("pk", "number", "type_code", "pdf", "sha256")
        )

    # Stored files are written once and never changed, and a row is committed only after its file is on disk:
    # every file the snapshot refers to is there after the transaction; newer files come along harmlessly.
    files = []
    for root_name, root in file_roots().items():
        for path in _walk(root):
            name = path.relative_to(root).as_posix()
            files.append(_archive_file(archive, path, root_name, name))

    hashes = {(entry["root"], entry["name"]): entry["sha256"] for entry in files}
    for ref in references:
        if (ref.root, ref.name) not in hashes:
            raise BackupError(
                _("Thiếu tệp %(name)s mà %(model)s mã %(pk)s tham chiếu tới; bản sao lưu chưa được ghi.")
                % {"name": ref.name, "model": ref.model, "pk": ref.pk}
            )
    document_root = _root_of(Document, Document._meta.get_field("pdf"))
    for pk, number, type_code, pdf, sha256 in documents:
        if hashes.get((document_root, pdf)) != sha256:
            raise BackupError(
                _(
                    "Tệp PDF của văn bản số %(number)s/%(type)s (mã %(pk)s) không còn khớp mã SHA-256 ghi khi "
                    "ban hành; bản sao lưu chưa được ghi. Lấy lại tệp đúng từ một bản sao lưu cũ hơn."
                )
                % {"number": f"{number:02d}", "type": type_code, "pk": pk}
            )

    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "django": django.get_version(),
        "database": connections[using].vendor,
        "migrations": state,
        "data": data,
        "files": files,
        "documents": len(documents),
    }
    info = zipfile.ZipInfo(MANIFEST, date_time=timezone.localtime().timetuple()[:6])
    archive.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=1), zipfile.ZIP_DEFLATED)
    return manifest


def _walk(root: Path) -> Iterator[Path]:
    """The regular files under ``root``, sorted; symbolic links are skipped (and logged)."""
    if not root.is_dir():
        return
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory, name)
            if path.is_symlink() or not path.is_file():
                logger.warning("Backup skips %s: not a regular file", path)
                continue
            yield path


def _archive_file(archive: zipfile.ZipFile, path: Path, root: str, name: str) -> dict:
    arcname = _archive_path(root, name)
    info = zipfile.ZipInfo.from_file(path, arcname, strict_timestamps=False)
    info.compress_type = zipfile.ZIP_DEFLATED
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as source, archive.open(info, "w") as member:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            member.write(chunk)
            size += len(chunk)
    return {"path": arcname, "root": root, "name": name, "size": size, "sha256": digest.hexdigest()}


# ---------------------------------------------------------------------------------------------------------------
# Check and restore


def _open(path: Path) -> tuple[zipfile.ZipFile, dict]:
    archive = None
    try:
        archive = zipfile.ZipFile(path)
        manifest = json.loads(archive.read(MANIFEST))
        if manifest.get("format") != FORMAT or not all(
            key in manifest for key in ("version", "created_at", "migrations", "data", "files")
        ):
            raise ValueError(path)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError):
        if archive is not None:
            archive.close()
        raise BackupError(
            _("%(path)s không phải là bản sao lưu của thiduabloc (không đọc được manifest.json).")
            % {"path": path}
        ) from None
    if manifest["version"] != VERSION:
        archive.close()
        raise BackupError(
            _(
                "Bản sao lưu dùng định dạng phiên bản %(version)s; chương trình này chỉ đọc phiên bản %(supported)s."
            )
            % {"version": manifest["version"], "supported": VERSION}
        )
    return archive, manifest


def _migration_differences(archived: dict, current: dict) -> str:
    """For each app whose applied migrations differ: its name and the latest migration on either side."""
    parts = []
    for app_label in sorted(set(archived) | set(current)):
        if set(archived.get(app_label, [])) != set(current.get(app_label, [])):
            parts.append(
                _("%(app)s (bản sao lưu: %(archived)s; hiện tại: %(current)s)")
                % {
                    "app": app_label,
                    "archived": max(archived.get(app_label, []), default="—"),
                    "current": max(current.get(app_label, []), default="—"),
                }
            )
    return "; ".join(parts)


def backup_check(*, path: Path) -> CheckResult:
    """Check an archive on its own, writing nothing: every member against its SHA-256 in the manifest, the row
    count of each data file, every file the data refers to present, every issued document's PDF matching the
    SHA-256 recorded at issue. Raises BackupError on the first problem."""
    from reports.models import Document

    archive, manifest = _open(path)
    with archive:
        for entry in manifest["data"] + manifest["files"]:
            if entry.get("path") is None or _hash_member(archive, entry["path"]) != entry.get("sha256"):
                raise BackupError(
                    _(
                        "Tệp %(path)s trong bản sao lưu không khớp mã SHA-256 ghi trong manifest: bản sao lưu bị "
                        "hỏng hoặc đã bị sửa."
                    )
                    % {"path": entry.get("path")}
                )
        for entry in manifest["files"]:
            _safe_destination(entry)
        hashes = {(entry["root"], entry["name"]): entry["sha256"] for entry in manifest["files"]}
        rows = documents = 0
        for entry in manifest["data"]:
            objects = json.loads(archive.read(entry["path"]))
            if len(objects) != entry["count"]:
                raise BackupError(
                    _("Tệp %(path)s có %(found)d bản ghi, manifest ghi %(expected)d.")
                    % {"path": entry["path"], "found": len(objects), "expected": entry["count"]}
                )
            rows += len(objects)
            try:
                model = apps.get_model(entry["model"])
            except LookupError:
                raise BackupError(
                    _("Bản sao lưu có dữ liệu của %(model)s, một bảng mà mã nguồn hiện tại không có.")
                    % {"model": entry["model"]}
                ) from None
            for file_field in _file_fields(model):
                root = _root_of(model, file_field)
                for obj in objects:
                    name = obj["fields"].get(file_field.name)
                    if name and (root, name) not in hashes:
                        raise BackupError(
                            _("Bản sao lưu thiếu tệp %(name)s mà %(model)s mã %(pk)s tham chiếu tới.")
                            % {"name": name, "model": model._meta.label, "pk": obj.get("pk")}
                        )
            if model is Document:
                root = _root_of(Document, Document._meta.get_field("pdf"))
                for obj in objects:
                    if hashes.get((root, obj["fields"]["pdf"])) != obj["fields"]["sha256"]:
                        raise BackupError(_document_mismatch(obj["pk"], obj["fields"]))
                documents = len(objects)
    return CheckResult(manifest=manifest, rows=rows, files=len(manifest["files"]), documents=documents)


def _document_mismatch(pk, fields: dict) -> str:
    return _(
        "Tệp PDF của văn bản số %(number)s/%(type)s (mã %(pk)s) không khớp mã SHA-256 ghi khi ban hành."
    ) % {
        "number": f"{fields['number']:02d}",
        "type": fields["type_code"],
        "pk": pk,
    }


def _refuse_unless_empty(using: str) -> None:
    holding = [
        (model, count) for model in data_models() if (count := model._base_manager.using(using).count())
    ]
    if holding:
        tables = ", ".join(
            f"{model._meta.verbose_name_plural} ({model._meta.label}): {count}"
            for model, count in holding[:6]
        )
        if len(holding) > 6:
            tables += " " + _("và %(count)d bảng khác") % {"count": len(holding) - 6}
        raise BackupError(
            _(
                "Cơ sở dữ liệu đích đã có dữ liệu: %(tables)s. Lệnh restore chỉ khôi phục vào một cơ sở dữ liệu "
                "trống vừa chạy migrate và không bao giờ ghi đè dữ liệu có sẵn."
            )
            % {"tables": tables}
        )


def _refuse_unless_same_migrations(manifest: dict, using: str) -> None:
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError(
            _(
                "Cơ sở dữ liệu đích chưa chạy hết migration; chạy “python manage.py migrate” trước khi khôi phục."
            )
        )
    differences = _migration_differences(manifest["migrations"], migration_state(using))
    if differences:
        raise BackupError(
            _(
                "Bản sao lưu được tạo với trạng thái migration khác mã nguồn hiện tại: %(apps)s. Khôi phục bằng "
                "đúng phiên bản mã nguồn đã tạo bản sao lưu, rồi mới nâng cấp."
            )
            % {"apps": differences}
        )


def _conflicting_files(manifest: dict) -> tuple[list[dict], int]:
    """The archive's files still to write; raises BackupError if one exists with other content."""
    to_write, present = [], 0
    for entry in manifest["files"]:
        destination = _safe_destination(entry)
        if not destination.exists():
            to_write.append(entry)
        elif destination.is_file() and _hash_file(destination) == entry["sha256"]:
            present += 1
        else:
            raise BackupError(
                _("Tệp %(path)s đã có với nội dung khác bản sao lưu; không ghi đè.") % {"path": destination}
            )
    return to_write, present


def backup_restore(
    *, path: Path, confirm: Callable[[CheckResult], bool] | None = None, using: str = DEFAULT_DB_ALIAS
) -> RestoreResult:
    """Restore an archive into an empty, migrated database and its stored files.

    Refuses (BackupError, nothing changed) when the database holds data, when its migrations differ from the
    archive's, when a stored file exists with other content, when the archive fails `backup_check`, or when
    ``confirm`` answers False. Then, in one transaction: replaces the rows data migrations seeded, loads every
    row, checks the row counts, writes the files (each checked against its SHA-256), checks every issued
    document's PDF against its SHA-256 and the foreign keys, and moves PostgreSQL's sequences past the loaded
    ids. Any failure rolls the transaction back and removes the files written."""
    started = time.monotonic()
    archive, manifest = _open(path)
    archive.close()
    _refuse_unless_same_migrations(manifest, using)
    _refuse_unless_empty(using)
    to_write, present = _conflicting_files(manifest)
    checked = backup_check(path=path)
    if confirm is not None and not confirm(checked):
        raise BackupError(_("Đã hủy; không có gì thay đổi."))

    written = _Restore()
    try:
        with zipfile.ZipFile(path) as archive, transaction.atomic(using=using):
            _refuse_unless_empty(using)
            loaded = _load(archive, manifest, using)
            for entry in to_write:
                _extract(archive, entry, written)
            _check_constraints(loaded, using)
            documents = _verify_restored_files(using)
            _reset_sequences(loaded, using)
    except BaseException as exc:
        written.undo()
        if isinstance(exc, BackupError):
            raise BackupError(
                _("%(error)s Đã hoàn tác: cơ sở dữ liệu và thư mục tệp giữ nguyên như trước khi khôi phục.")
                % {"error": exc}
            ) from None
        raise
    result = RestoreResult(
        models=len(manifest["data"]),
        rows=checked.rows,
        files_written=len(to_write),
        files_present=present,
        documents=documents,
        seconds=time.monotonic() - started,
    )
    logger.warning("Database restored from %s: %d rows, %d files written", path, result.rows, len(to_write))
    return result


def _load(archive: zipfile.ZipFile, manifest: dict, using: str) -> list[type[models.Model]]:
    for label in SEEDED_BY_MIGRATIONS:
        apps.get_model(label)._base_manager.using(using).all().delete()
    loaded = []
    for entry in manifest["data"]:
        content = archive.read(entry["path"])
        if hashlib.sha256(content).hexdigest() != entry["sha256"]:
            raise BackupError(
                _("Tệp %(path)s trong bản sao lưu không khớp mã SHA-256 ghi trong manifest.")
                % {"path": entry["path"]}
            )
        model = apps.get_model(entry["model"])
        count = 0
        try:
            for obj in serializers.deserialize("json", content, using=using):
                if _recreated(model):
                    # Matched by natural key to the row migrate made; only one it no longer makes is added.
                    if obj.object.pk is None:
                        obj.save(using=using)
                else:
                    obj.save(using=using, force_insert=True)
                count += 1
        except (DeserializationError, DatabaseError) as exc:
            raise BackupError(
                _("Không nạp được dữ liệu của %(model)s: %(error)s") % {"model": entry["model"], "error": exc}
            ) from None
        if not _recreated(model):
            found = model._base_manager.using(using).count()
            if count != entry["count"] or found != entry["count"]:
                raise BackupError(
                    _("Sau khi khôi phục, %(model)s có %(found)d bản ghi; manifest ghi %(expected)d.")
                    % {"model": entry["model"], "found": found, "expected": entry["count"]}
                )
        loaded.append(model)
    return loaded


def _check_constraints(loaded: list[type[models.Model]], using: str) -> None:
    """Foreign keys are deferred while rows load in any order; check them all now rather than at commit."""
    try:
        connections[using].check_constraints(table_names=[model._meta.db_table for model in loaded])
    except DatabaseError as exc:
        raise BackupError(
            _("Dữ liệu khôi phục vi phạm ràng buộc khóa ngoại: %(error)s") % {"error": exc}
        ) from None


def _extract(archive: zipfile.ZipFile, entry: dict, written: _Restore) -> None:
    destination = _safe_destination(entry)
    missing = []
    parent = destination.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    destination.parent.mkdir(parents=True, exist_ok=True)
    written.directories.extend(reversed(missing))
    digest = hashlib.sha256()
    with archive.open(entry["path"]) as source, open(destination, "xb") as target:
        written.files.append(destination)
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if digest.hexdigest() != entry["sha256"]:
        raise BackupError(
            _("Tệp %(path)s trong bản sao lưu không khớp mã SHA-256 ghi trong manifest.")
            % {"path": entry["path"]}
        )


def _verify_restored_files(using: str) -> int:
    """Every file the restored rows refer to is on disk; every issued document's PDF matches its SHA-256."""
    from reports.models import Document

    for ref in _referenced_files(using):
        if not file_roots()[ref.root].joinpath(ref.name).is_file():
            raise BackupError(
                _("Thiếu tệp %(name)s mà %(model)s mã %(pk)s tham chiếu tới.")
                % {"name": ref.name, "model": ref.model, "pk": ref.pk}
            )
    documents = 0
    storage = Document._meta.get_field("pdf").storage
    for pk, number, type_code, pdf, sha256 in (
        Document._base_manager.using(using)
        .values_list("pk", "number", "type_code", "pdf", "sha256")
        .iterator()
    ):
        if _hash_file(Path(storage.path(pdf))) != sha256:
            raise BackupError(_document_mismatch(pk, {"number": number, "type_code": type_code}))
        documents += 1
    return documents


def _reset_sequences(loaded: list[type[models.Model]], using: str) -> None:
    """Rows came in with their ids: move PostgreSQL's sequences past them (SQLite's AUTOINCREMENT follows)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), loaded)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def format_created_at(manifest: dict) -> str:
    try:
        created = datetime.datetime.fromisoformat(manifest["created_at"])
    except (TypeError, ValueError):
        return str(manifest.get("created_at"))
    return f"{timezone.localtime(created):%d/%m/%Y %H:%M}"
