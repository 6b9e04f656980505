import datetime

from django.core.management import call_command
from django.utils import timezone

from gongzhi.core.periodic import JOBS, job


def test_run_periodic_runs_registered_jobs_and_reports_counts(db, capsys):
    seen = []

    @job("test.counting", order=1)
    def counting(now):
        seen.append(now)
        return 3

    try:
        call_command("run_periodic", "--now", "2026-02-17T08:00:00", "--only", "test.")
    finally:
        JOBS.pop("test.counting")
    assert "test.counting: 3" in capsys.readouterr().out
    assert seen == [timezone.make_aware(datetime.datetime(2026, 2, 17, 8, 0))]
