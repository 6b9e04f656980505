import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from gongzhi.oversight import services


@pytest.fixture(autouse=True)
def _media_and_fast_passwords(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The named world creates nine logins per test; a fast hasher keeps the suite quick.


@pytest.fixture(autouse=True)
def _default_language():
    # A page requested in English leaves English active in the thread; services called directly
    # by the next test should speak the default language again.
    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture
def no_min_group(settings):
    """For tests about the figures themselves on a world of a few flats: every group shown."""
    settings.GONGZHI = {**settings.GONGZHI, "SURVEY_MIN_GROUP_SIZE": 1}


@pytest.fixture
def photo():
    def make(name="spot.jpg", color=(200, 30, 30)):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), color).save(buffer, format="JPEG")
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")

    return make


@pytest.fixture
def make_survey(world):
    """A published survey of the world's estate (or ``place``), open now unless told otherwise."""

    def make(place=None, *, opens_in=-1, closes_in=7, publish=True, threshold="3", min_answers=1):
        now = timezone.now()
        survey = services.survey_create(
            place=place or world.estate,
            title="2025年第一次物业满意度测评",
            opens_at=now + datetime.timedelta(days=opens_in),
            closes_at=now + datetime.timedelta(days=closes_in),
            acting_user=world.users["community_worker"],
            low_score_threshold=threshold,
            min_answers_for_finding=min_answers,
        )
        actor = (
            world.users["community_worker"]
            if place is None or place.path.startswith(world.community.path)
            else world.users["subdistrict_admin"]
        )
        services.survey_question_add(
            survey=survey, text="您对物业保洁服务的评价", kind="scale", target="company", acting_user=actor
        )
        services.survey_question_add(
            survey=survey,
            text="您对业委会工作是否满意",
            kind="single",
            target="committee",
            acting_user=actor,
            options=[("满意", 5), ("基本满意", 3), ("不满意", 1)],
        )
        services.survey_question_add(
            survey=survey,
            text="您希望优先改进哪些方面",
            kind="multiple",
            target="company",
            acting_user=actor,
            required=False,
            options=[("停车", None), ("绿化", None), ("安保", None)],
        )
        services.survey_question_add(
            survey=survey, text="其他意见建议", kind="text", target="general", acting_user=actor, required=False
        )
        if publish:
            if opens_in < 0 and closes_in > 0:
                services.survey_publish(survey=survey, acting_user=actor)
            else:
                # Publish while the window is still ahead, then move the window (test set-up only).
                type(survey).objects.filter(pk=survey.pk).update(status="published")
            survey.refresh_from_db()
        return survey

    return make


def answers_for(survey, *, scale=5, single="满意", multiple=("停车",), text=""):
    questions = list(survey.questions.prefetch_related("options"))
    result = {}
    for q in questions:
        options = {o.label: o.id for o in q.options.all()}
        if q.kind == "scale":
            result[q.id] = scale
        elif q.kind == "single":
            result[q.id] = options[single]
        elif q.kind == "multiple":
            result[q.id] = [options[m] for m in multiple]
        else:
            result[q.id] = text
    return result


def close_survey(survey):
    type(survey).objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=10), closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    survey.refresh_from_db()
    return survey
