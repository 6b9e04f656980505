"""Consistent backups of the database and the uploaded files, in one .tar.gz archive.

- SQLite: the online backup API copies a consistent snapshot while the site keeps running.
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot by design); restored with
  ``pg_restore`` into an emptied schema.
- Uploaded files: MEDIA_ROOT as it is on disk, under ``media/`` in the archive.

``manifest.json`` in the archive says what it holds (engine, time, applied migrations, file count),
and restore refuses an archive made for the other engine.
"""

import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump/pg_restore with fixed argument lists, no shell
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _engine(alias="default") -> str:
    engine = connections[alias].settings_dict["ENGINE"]
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"unsupported database engine {engine}")


def _pg_env(settings_dict) -> tuple[list[str], dict]:
    args = ["--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _dump_database(workdir: Path, alias: str) -> str:
    connection = connections[alias]
    if _engine(alias) == "sqlite":
        target = workdir / "db.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target.name
    target = workdir / "db.pgdump"
    args, env = _pg_env(connection.settings_dict)
    _run(
        ["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(target), connection.settings_dict["NAME"]],
        env,
    )
    return target.name


def _applied_migrations(alias: str) -> list[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def backup_create(destination: Path | None = None, *, alias: str = "default") -> Path:
    """Write a backup archive and return its path (default: BACKUP_DIR/gongzhi-<time>.tar.gz)."""
    if destination is None:
        folder = Path(settings.GONGZHI["BACKUP_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        destination = folder / f"gongzhi-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="gongzhi-backup-") as tmp:
        workdir = Path(tmp)
        database_file = _dump_database(workdir, alias)
        files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "engine": _engine(alias),
            "database_file": database_file,
            "migrations": _applied_migrations(alias),
            "media_files": len(files),
        }
        (workdir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(workdir / "manifest.json", arcname="manifest.json")
            archive.add(workdir / database_file, arcname=database_file)
            for path in files:
                archive.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
        partial.replace(destination)  # a half-written archive never carries the final name
    os.chmod(destination, 0o600)  # it holds residents' personal data
    return destination


def read_manifest(archive_path: Path) -> dict:
    with tarfile.open(archive_path, "r:gz") as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise BackupError("not a Gongzhi backup: manifest.json missing")
        return json.loads(member.read())


def backup_restore(archive_path: Path, *, alias: str = "default") -> dict:
    """Replace the database and MEDIA_ROOT with the archive's. The site must be stopped."""
    archive_path = Path(archive_path)
    manifest = read_manifest(archive_path)
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    if manifest["engine"] != _engine(alias):
        raise BackupError(f"backup is of a {manifest['engine']} database; this site uses {_engine(alias)}")
    with tempfile.TemporaryDirectory(prefix="gongzhi-restore-") as tmp:
        workdir = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(workdir, filter="data")
        _restore_database(workdir / manifest["database_file"], alias)
        _restore_media(workdir / "media")
    return manifest


def _restore_database(dump: Path, alias: str) -> None:
    connection = connections[alias]
    if _engine(alias) == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    if not connection.get_autocommit():
        connection.commit()
    connection.close()
    args, env = _pg_env(connection.settings_dict)
    _run(
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
            connection.settings_dict["NAME"],
            str(dump),
        ],
        env,
    )


def _restore_media(source: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    for child in media.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if source.exists():
        shutil.copytree(source, media, dirs_exist_ok=True)
