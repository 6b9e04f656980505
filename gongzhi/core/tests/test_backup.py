"""Back up, change data and files, restore: everything is exactly as it was (SQLite and PostgreSQL)."""

import io
import tarfile

import pytest
from django.core.management import CommandError, call_command

from gongzhi.accounts.models import Person
from gongzhi.accounts.services import person_update
from gongzhi.core.backups import read_manifest
from gongzhi.core.services import audit_record
from gongzhi.places import services as places

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> str:
    out = io.StringIO()
    call_command("dumpdata", "--natural-foreign", "--exclude=sessions", stdout=out)
    return out.getvalue()


def files_of(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_backup_then_restore_brings_back_data_and_files(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "cases" / "2025").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "2025" / "photo.jpg").write_bytes(b"\xff\xd8\xff photo")
    (settings.MEDIA_ROOT / "minutes.pdf").write_bytes(b"%PDF-1.4 minutes")
    audit_record(acting_user=world.users["subdistrict_admin"], action="test.before", target="备份前")
    before, files_before = snapshot(), files_of(settings.MEDIA_ROOT)

    archive = tmp_path / "backups" / "one.tar.gz"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    manifest = read_manifest(archive)
    assert manifest["media_files"] == 2 and manifest["migrations"]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    # Change everything: rows edited, added and deleted; files changed, added and removed.
    person_update(person=world.person("resident"), name="改过的名字", acting_user=None)
    places.place_create(kind="estate", name="新小区", parent=world.community, estate_kind="commodity")
    audit_record(acting_user=None, action="test.after", target="备份后")
    (settings.MEDIA_ROOT / "minutes.pdf").write_bytes(b"changed")
    (settings.MEDIA_ROOT / "cases" / "2025" / "photo.jpg").unlink()
    (settings.MEDIA_ROOT / "new.txt").write_text("new")
    assert snapshot() != before

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())

    assert snapshot() == before
    assert files_of(settings.MEDIA_ROOT) == files_before
    assert Person.objects.get(user__username="resident").name == "王小明"
    # The site keeps working on the restored database: new rows get fresh ids.
    audit_record(acting_user=None, action="test.after_restore")


def test_restore_refuses_what_is_not_a_backup(world, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as archive:
        info = tarfile.TarInfo("hello.txt")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(CommandError, match="not a usable backup"):
        call_command("restore", str(bogus), "--yes")
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--yes")
    assert Person.objects.filter(user__username="resident").exists()
