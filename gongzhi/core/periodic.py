"""Periodic work: idempotent functions run by one command (``manage.py run_periodic``) from cron or
a systemd timer. Each app registers its jobs in ``<app>/periodic.py``:

    from gongzhi.core.periodic import job

    @job("cases.escalate_overdue", order=20)
    def escalate_overdue(now):  # -> number of records changed
        ...

A job must change nothing when run a second time with the same ``now``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[datetime.datetime], int]
    order: int


JOBS: dict[str, Job] = {}


def job(name: str, *, order: int = 100):
    def register(function):
        JOBS[name] = Job(name=name, function=function, order=order)
        return function

    return register


def discover() -> list[Job]:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("periodic")
    return sorted(JOBS.values(), key=lambda j: (j.order, j.name))


def run_all(now: datetime.datetime, only: str | None = None) -> dict[str, int]:
    from django.db import transaction

    results: dict[str, int] = {}
    for item in discover():
        if only and not item.name.startswith(only):
            continue
        with transaction.atomic():
            results[item.name] = int(item.function(now) or 0)
    return results
