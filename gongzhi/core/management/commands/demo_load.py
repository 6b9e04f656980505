import time

from django.core.management.base import BaseCommand, CommandError

from gongzhi import demo


class Command(BaseCommand):
    help = (
        "Load the demo (two places shaped like the reports, one login per persona) once, run the demo "
        "hooks of the apps (gongzhi/<app>/demo.py), and print the logins. Running it again adds nothing."
    )

    def handle(self, *args, **options):
        from gongzhi.accounts.models import User

        began = time.perf_counter()
        if not demo.is_loaded():
            taken = sorted(User.objects.filter(username__in=list(demo.PERSONAS)).values_list("username", flat=True))
            if taken:
                raise CommandError(
                    "These demo logins already exist in this database but the demo does not: "
                    f"{', '.join(taken)}. Use a fresh database (make clean) for the demo."
                )
        context = demo.load()
        seconds = time.perf_counter() - began
        if context.created:
            self.stdout.write(f"Demo loaded in {seconds:.1f} s: {demo.seeds.TOWN}, {demo.seeds.STREET}.")
        else:
            self.stdout.write("Demo already loaded; nothing added.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for persona, description in demo.PERSONAS.items():
            self.stdout.write(f"  {persona:<18} {description}")
        self.stdout.write("")
        self.stdout.write("Dashboard: http://127.0.0.1:8000/dashboard/ (as subdistrict_admin or community_worker)")
