from django.urls import path

from gongzhi.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.person_calendar, name="person-calendar"),
    path("places/<int:place_id>/", views.place, name="place"),
    path("places/<int:place_id>/calendar.ics", views.place_calendar, name="place-calendar"),
    path("places/<int:place_id>/series/new/", views.series_new, name="series-new"),
    path("places/<int:place_id>/ad-hoc/", views.ad_hoc_new, name="ad-hoc"),
    path("places/<int:place_id>/topics/", views.topics, name="topics"),
    path("places/<int:place_id>/topics/new/", views.topic_new, name="topic-new"),
    path("places/<int:place_id>/topics/add/", views.topic_add, name="topic-add"),
    path("series/<int:series_id>/edit/", views.series_edit, name="series-edit"),
    path("topics/<int:topic_id>/", views.topic, name="topic"),
    path("topics/<int:topic_id>/back/", views.topic_back, name="topic-back"),
    path("topics/<int:topic_id>/review/", views.topic_review, name="topic-review"),
    path("invitations/<int:invitation_id>/respond/", views.invitation_respond, name="invitation-respond"),
    path("<int:meeting_id>/", views.meeting, name="meeting"),
    path("<int:meeting_id>/agenda/", views.agenda, name="agenda"),
    path("<int:meeting_id>/invitations/", views.invitations, name="invitations"),
    path("<int:meeting_id>/record/", views.record, name="record"),
    path("<int:meeting_id>/change/", views.meeting_change, name="change"),
    path("<int:meeting_id>/print/", views.print_record, name="print"),
    path("<int:meeting_id>/record.xlsx", views.export_record, name="export"),
]
