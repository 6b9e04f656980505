from django.core.management.base import BaseCommand
from django.db import transaction

from gongzhi.places.models import Place
from gongzhi.testing import PASSWORD, PERSONAS, build_world


class Command(BaseCommand):
    help = "Load the demo data (once) and print one login per persona."

    def handle(self, *args, **options):
        if not Place.objects.exists():
            with transaction.atomic():
                build_world()
        self.stdout.write(f"Demo logins (password for all: {PASSWORD}):")
        for persona in PERSONAS:
            self.stdout.write(f"  {persona}")
