from django.urls import path

from gongzhi.elections import views

app_name = "elections"
urlpatterns = [
    path("", views.index, name="index"),
    path("votes/new/", views.vote_new, name="vote-new"),
    path("votes/<int:vote_id>/", views.vote_detail, name="vote"),
    path("votes/<int:vote_id>/progress/", views.vote_progress, name="progress"),
    path("votes/<int:vote_id>/roll/", views.vote_roll, name="roll"),
    path("votes/<int:vote_id>/open/", views.vote_open, name="vote-open"),
    path("votes/<int:vote_id>/roll/rebuild/", views.vote_rebuild_roll, name="vote-rebuild-roll"),
    path("votes/<int:vote_id>/close/", views.vote_close, name="vote-close"),
    path("votes/<int:vote_id>/cast/", views.vote_cast, name="cast"),
    path("votes/<int:vote_id>/receipt/", views.vote_receipt, name="receipt"),
    path("votes/<int:vote_id>/teller/", views.vote_teller, name="teller"),
    path("votes/<int:vote_id>/verify/", views.vote_verify, name="verify"),
    path("votes/<int:vote_id>/print/", views.vote_print, name="print"),
    path("votes/<int:vote_id>/result.xlsx", views.vote_export, name="export"),
    path("elections/new/", views.election_new, name="election-new"),
    path("elections/<int:election_id>/", views.election_detail, name="election"),
    path("elections/<int:election_id>/<slug:action>/", views.election_action, name="election-action"),
    path("estates/<int:estate_id>/rules/", views.rules_index, name="rules"),
    path("rules/<int:version_id>/", views.rule_version, name="rule_version"),
    path("estates/<int:estate_id>/decisions/", views.decisions, name="decisions"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision"),
]
