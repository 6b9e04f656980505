import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core.periodic import run_all


class Command(BaseCommand):
    help = "Run every periodic job once (deadlines, escalation, next meetings, reminders, notifications)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time to run as (default: now); for catching up and tests")
        parser.add_argument("--only", help="run only jobs whose name starts with this")

    def handle(self, *args, **options):
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now must be an ISO date-time: {error}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        for name, count in run_all(now, options["only"]).items():
            self.stdout.write(f"{name}: {count}")
