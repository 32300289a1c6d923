"""The PostgreSQL way of docs/BACKUP.md, run for real: `pg_dump -Fc` of the demo site and a tar of its private
files, `pg_restore` into a new database, and the same rows in every table and the same issued PDFs come back."""

import hashlib
import io
import os
import shutil
import subprocess
import tarfile

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from reports.models import Document

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"),
    pytest.mark.skipif(
        shutil.which("pg_dump") is None, reason="the PostgreSQL client tools are not installed"
    ),
    pytest.mark.django_db(transaction=True),
]


def _connect(name: str):
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=name,
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


def _client_env() -> tuple[list[str], dict]:
    settings = connection.settings_dict
    options = ["-U", settings["USER"]]
    if settings["HOST"]:
        options += ["-h", settings["HOST"]]
    if settings["PORT"]:
        options += ["-p", str(settings["PORT"])]
    return options, {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}


def table_digests(name: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and a digest of its rows in a canonical order."""
    with _connect(name) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        digests = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            digests[table] = cursor.fetchone()
    db.close()
    return digests


def test_pg_dump_and_pg_restore_bring_back_every_row_and_every_issued_pdf(private_media, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    issued = dict(Document.objects.values_list("pdf", "sha256"))
    assert issued, "the demo issues documents"
    source = connection.settings_dict["NAME"]
    copy = f"{source}_restored"
    options, env = _client_env()
    dump, files = tmp_path / "site.dump", tmp_path / "private.tar.gz"

    # Back up as BACKUP.md says: the dump first, then the files.
    subprocess.run(["pg_dump", "-Fc", "--no-owner", *options, "-d", source, "-f", dump], check=True, env=env)
    with tarfile.open(files, "w:gz") as archive:
        archive.add(private_media, arcname="private")

    subprocess.run(["dropdb", "--if-exists", *options, copy], check=True, env=env)
    subprocess.run(["createdb", *options, copy], check=True, env=env)
    try:
        subprocess.run(["pg_restore", "--no-owner", *options, "-d", copy, dump], check=True, env=env)
        restored_root = tmp_path / "restored"
        with tarfile.open(files) as archive:
            archive.extractall(restored_root, filter="data")

        before, after = table_digests(source), table_digests(copy)
        assert before.keys() == after.keys()
        assert [t for t in before if before[t] != after[t]] == []
        assert sum(count for count, _ in after.values()) > 1000

        # Every issued document's PDF, read from the restored files, has the SHA-256 the restored database holds.
        with _connect(copy) as db, db.cursor() as cursor:
            cursor.execute("SELECT pdf, sha256 FROM reports_document")
            restored = dict(cursor.fetchall())
        db.close()
        assert restored == issued
        for name, sha256 in restored.items():
            content = (restored_root / "private" / name).read_bytes()
            assert content.startswith(b"%PDF")
            assert hashlib.sha256(content).hexdigest() == sha256, name
    finally:
        subprocess.run(["dropdb", "--if-exists", *options, copy], check=True, env=env)
