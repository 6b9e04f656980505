"""Periodic work of 效度联评."""

from gongzhi.core.periodic import job


@job("oversight.survey_findings", order=50)
def survey_findings(now) -> int:
    """Once a survey has closed, turn its low-scoring questions into ledger findings (staff may
    also do it by hand from the results page). Idempotent: each survey is handled once, and a
    question of an estate never gets a second finding."""
    from gongzhi.oversight.models import Survey, SurveyStatus
    from gongzhi.oversight.services import survey_findings_create

    created = 0
    for survey in Survey.objects.filter(
        status=SurveyStatus.PUBLISHED, closes_at__lte=now, findings_created_at__isnull=True
    ):
        if survey.phase(now) == "closed":
            created += len(survey_findings_create(survey=survey, acting_user=None))
    return created
