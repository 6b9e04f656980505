"""效度联评 at the size of a real subdistrict.

Run: .venv/bin/python bench/oversight_bench.py [--flats 10000] [--answered 0.8] [--rounds 40]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_bench_oversight .venv/bin/python bench/oversight_bench.py

1. Builds a fresh data set: a subdistrict of 300 estates in 10 communities, each with a property
   company under contract, a party branch and an owners' committee; 20 of the estates hold 10,000
   flats. Without DATABASE_URL it uses a new SQLite file in var/; with a PostgreSQL URL the named
   database is dropped and created again (use a bench database).
2. A survey of the first community (30 estates, 10,000 flats) with 20 questions (12 scale, 4 single choice, 2 multiple choice,
   2 free text), answered by 80% of the flats (about 200,000 answer rows).
3. Measures the results page (the whole page, rendered, as a logged-in community worker) over
   many rounds: p50/p95 (floor: p95 < 200 ms), for the whole survey and for one estate.
4. Gives every one of the 300 estates a submitted company and branch assessment and measures the
   ratings overview (/oversight/): its query count with 30 and with 300 estates must be the same.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
SQLITE = ROOT / "var" / "bench_oversight.sqlite3"


def configure_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        SQLITE.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE}"
        os.environ["DATABASE_URL"] = url
        return url
    if url.startswith("postgres"):
        import psycopg

        parts = urllib.parse.urlparse(url)
        name = parts.path.lstrip("/")
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    return url


def build_places(flats_total: int):
    from gongzhi.orgs.models import Organization, ServiceContract
    from gongzhi.places import services as places
    from gongzhi.places.models import Flat, Place

    start = datetime.date(2024, 1, 1)
    sub = places.place_create(kind="subdistrict", name="基准街道", parent=None, subdistrict_kind="street")
    communities = [places.place_create(kind="community", name=f"第{i + 1}社区", parent=sub) for i in range(10)]
    companies = [
        Organization.objects.create(kind="property_company", name=f"物业公司{i + 1}", place=sub) for i in range(30)
    ]
    estates = []
    for i in range(300):
        community = communities[i % 10]
        estate = Place(kind="estate", name=f"小区{i + 1:03d}", parent=community, estate_kind="commodity")
        estate.save()
        estate.path = f"{community.path}{estate.id}/"
        estate.depth = community.depth + 1
        estate.save(update_fields=["path", "depth"])
        estates.append(estate)
    ServiceContract.objects.bulk_create(
        [ServiceContract(company=companies[i % 30], estate=e, starts_on=start) for i, e in enumerate(estates)]
    )
    for estate in estates:
        branch = Organization.objects.create(kind="party_branch", name=f"{estate.name}党支部", place=estate)
        branch.covered_places.set([estate])
        Organization.objects.create(kind="owners_committee", name=f"{estate.name}业委会", place=estate)
    # Twenty estates of the first community hold the flats.
    surveyed = [e for e in estates if e.parent_id == communities[0].id][:20]
    per_estate = flats_total // len(surveyed)
    flats = []
    for estate in surveyed:
        for b in range(10):
            building = Place(kind="building", name=f"{b + 1}号楼", parent=estate)
            building.save()
            building.path = f"{estate.path}{building.id}/"
            building.depth = estate.depth + 1
            building.save(update_fields=["path", "depth"])
            flats.extend(
                Flat(building=building, estate=estate, number=f"{n + 1:03d}", area_m2=Decimal("88.50"))
                for n in range(per_estate // 10)
            )
    Flat.objects.bulk_create(flats, batch_size=2000)
    return sub, communities[0], estates, companies


def build_survey(place, acting_user, answered: float):
    from django.utils import timezone

    from gongzhi.oversight import services
    from gongzhi.oversight.models import Survey, SurveyAnswer, SurveyResponse
    from gongzhi.places.models import Flat

    now = timezone.now()
    survey = services.survey_create(
        place=place,
        title="年度满意度测评",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
        acting_user=acting_user,
    )
    targets = ["company", "committee", "branch", "general"]
    for i in range(12):
        services.survey_question_add(
            survey=survey, text=f"评分题{i + 1}", kind="scale", target=targets[i % 4], acting_user=acting_user
        )
    for i in range(4):
        services.survey_question_add(
            survey=survey,
            text=f"单选题{i + 1}",
            kind="single",
            target=targets[i % 4],
            options=[("满意", 5), ("基本满意", 3), ("不满意", 1)],
            acting_user=acting_user,
        )
    for i in range(2):
        services.survey_question_add(
            survey=survey,
            text=f"多选题{i + 1}",
            kind="multiple",
            target="company",
            required=False,
            options=[("停车", None), ("绿化", None), ("安保", None), ("保洁", None)],
            acting_user=acting_user,
        )
    for i in range(2):
        services.survey_question_add(
            survey=survey,
            text=f"意见建议{i + 1}",
            kind="text",
            target="general",
            required=False,
            acting_user=acting_user,
        )
    services.survey_publish(survey=survey, acting_user=acting_user)
    survey = Survey.objects.get(pk=survey.pk)
    questions = list(survey.questions.prefetch_related("options"))
    flats = list(Flat.objects.values_list("id", "estate_id"))
    rng = random.Random(7)
    chosen = rng.sample(flats, int(len(flats) * answered))
    responses = [
        SurveyResponse(survey=survey, flat_id=flat_id, estate_id=estate_id, respondent_key=f"{flat_id:064d}")
        for flat_id, estate_id in chosen
    ]
    SurveyResponse.objects.bulk_create(responses, batch_size=2000)
    responses = list(SurveyResponse.objects.filter(survey=survey).values_list("id", "estate_id"))
    batch = []
    total = 0
    for response_id, estate_id in responses:
        for question in questions:
            common = {"response_id": response_id, "survey_id": survey.id, "estate_id": estate_id, "question": question}
            if question.kind == "scale":
                batch.append(SurveyAnswer(score=rng.choice([1, 2, 3, 4, 4, 5, 5, 5]), **common))
            elif question.kind == "single":
                option = rng.choice(list(question.options.all()))
                batch.append(SurveyAnswer(option=option, score=option.score, **common))
            elif question.kind == "multiple":
                for option in rng.sample(list(question.options.all()), rng.randint(1, 2)):
                    batch.append(SurveyAnswer(option=option, **common))
            elif rng.random() < 0.15:
                batch.append(
                    SurveyAnswer(text=rng.choice(["楼道灯不亮", "停车难", "保洁很好", "希望加装充电桩"]), **common)
                )
        if len(batch) > 5000:
            SurveyAnswer.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    SurveyAnswer.objects.bulk_create(batch)
    total += len(batch)
    # The rows were loaded in bulk, not through the answering service: count the tallies once.
    services.survey_tally_rebuild(survey=survey)
    return survey, len(responses), total


def build_assessments(estates, acting_user):
    from django.utils import timezone

    from gongzhi.orgs.models import Organization, ServiceContract
    from gongzhi.oversight.models import Assessment, Scorecard

    company_card = Scorecard.objects.get(family="property_company_stars", status="published")
    branch_card = Scorecard.objects.get(family="party_branch_grading", status="published")
    company_of = dict(ServiceContract.objects.values_list("estate_id", "company_id"))
    branch_of = dict(Organization.objects.filter(kind="party_branch").values_list("place_id", "id"))
    rng = random.Random(11)
    rows = []
    grades = [("AAA", 5, "93.00"), ("AA", 4, "84.00"), ("A", 3, "75.00"), ("B", 2, "64.00"), ("C", 1, "52.00")]
    for estate in estates:
        for kind, card, subject in (("company", company_card, company_of), ("branch", branch_card, branch_of)):
            grade, stars, percent = rng.choice(grades)
            rows.append(
                Assessment(
                    scorecard=card,
                    estate=estate,
                    subject_kind=kind,
                    subject_organization_id=subject[estate.id],
                    subject_name=f"{estate.name}-{kind}",
                    period_start=datetime.date(2025, 1, 1),
                    period_end=datetime.date(2025, 6, 30),
                    status="submitted",
                    assessor=acting_user,
                    total=Decimal(percent),
                    percent=Decimal(percent),
                    stars=stars,
                    credit_grade=grade,
                    passed=Decimal(percent) >= 60,
                    submitted_at=timezone.now(),
                )
            )
    Assessment.objects.bulk_create(rows, batch_size=1000)


def timed(client, url: str, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(len(samples) * 0.95)) - 1)]
    return statistics.median(samples), p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flats", type=int, default=10_000)
    parser.add_argument("--answered", type=float, default=0.8)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    url = configure_database()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["testserver"]
    print(f"database: {url.split('@')[-1] if '@' in url else url.rsplit('/', 1)[-1]}")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    from gongzhi.accounts import services as people

    sub, community, estates, companies = build_places(args.flats)
    person = people.person_create(name="基准管理员", phone="13900000000")
    user = people.user_create_for_person(person=person, username="bench-admin", password="bench-password-1")
    people.appointment_create(person=person, post="subdistrict_admin", place=sub, starts_on=datetime.date(2024, 1, 1))
    survey, responses, answers = build_survey(community, user, args.answered)
    build_assessments(estates, user)
    print(
        f"built in {time.perf_counter() - t0:.1f} s: 300 estates, {args.flats} flats, "
        f"{responses} answer sheets, {answers} answers to 20 questions"
    )

    client = Client()
    client.force_login(user)
    client.get(f"/oversight/surveys/{survey.id}/results/")  # warm up
    p50, p95 = timed(client, f"/oversight/surveys/{survey.id}/results/", args.rounds)
    print(
        f"survey results page (30 estates): p50 {p50:.0f} ms, p95 {p95:.0f} ms  (floor: p95 < 200 ms)"
        f"  {'OK' if p95 < 200 else 'TOO SLOW'}"
    )
    one = estates[0].id
    p50e, p95e = timed(client, f"/oversight/surveys/{survey.id}/results/?estate={one}", args.rounds)
    print(f"survey results page (one estate):      p50 {p50e:.0f} ms, p95 {p95e:.0f} ms")

    from gongzhi.oversight import selectors

    selectors.ratings_overview(user, place=sub)  # warm up: the user's grants are computed once
    counts = {}
    for n in (30, 300):
        # The overview of n estates: a community-sized slice and the whole subdistrict.
        place = estates[0].parent if n == 30 else sub
        with CaptureQueriesContext(connection) as queries:
            rows = selectors.ratings_overview(user, place=place)
            selectors.flags(rows)
        counts[len(rows)] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/oversight/")
    assert response.status_code == 200
    page_queries = len(queries)
    p50o, p95o = timed(client, "/oversight/", max(10, args.rounds // 4))
    same = len(set(counts.values())) == 1
    print(
        f"ratings overview queries: {counts} estates→queries — {'constant' if same else 'NOT constant'}; "
        f"whole page /oversight/ with 300 estates: {page_queries} queries, p50 {p50o:.0f} ms, p95 {p95o:.0f} ms"
    )
    if p95 >= 200 or not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
