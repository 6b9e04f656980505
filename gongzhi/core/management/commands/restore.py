from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.backups import BackupError, backup_restore, read_manifest


class Command(BaseCommand):
    help = (
        "Replace the database and uploaded files with those of a backup archive. Stop the site "
        "(gunicorn and the periodic timer) first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            manifest = read_manifest(path)
        except (BackupError, OSError, KeyError, ValueError) as error:
            raise CommandError(f"not a usable backup: {error}") from None
        if not options["yes"]:
            if not options.get("interactive", True):
                raise CommandError("pass --yes to restore without asking")
            answer = input(
                f"Replace ALL current data with the backup of {manifest['created_at']} "
                f"({manifest['engine']}, {manifest['media_files']} files)? Type 'yes': "
            )
            if answer.strip() != "yes":
                raise CommandError("restore cancelled")
        try:
            backup_restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored {path} (made {manifest['created_at']})")
