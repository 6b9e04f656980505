from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and uploaded files into one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="archive to write (default: GONGZHI_BACKUP_DIR/gongzhi-<time>.tar.gz)")

    def handle(self, *args, **options):
        try:
            path = backup_create(Path(options["output"]) if options["output"] else None)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
