from django.urls import path

from gongzhi.funds import views

app_name = "funds"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:fund_id>/", views.fund_detail, name="fund"),
    path("<int:fund_id>/export.xlsx", views.fund_export, name="fund-export"),
    path("<int:fund_id>/contribute/", views.fund_contribute, name="fund-contribute"),
    path("<int:fund_id>/grant/", views.fund_grant, name="fund-grant"),
    path("entries/<int:entry_id>/reverse/", views.fund_entry_reverse, name="fund-entry-reverse"),
    path("revenue/<int:estate_id>/", views.revenue, name="revenue"),
    path("revenue/<int:estate_id>/export.xlsx", views.revenue_export, name="revenue-export"),
    path("revenue/<int:estate_id>/record/", views.revenue_record, name="revenue-record"),
    path("revenue/entries/<int:entry_id>/reverse/", views.revenue_reverse, name="revenue-reverse"),
    path("revenue/<int:estate_id>/review/", views.revenue_review, name="revenue-review"),
    path("revenue/<int:estate_id>/publish/", views.revenue_publish, name="revenue-publish"),
    path("works/<int:estate_id>/", views.works, name="works"),
    path("works/<int:estate_id>/plan/", views.works_plan, name="works-plan"),
    path("works/projects/<int:project_id>/complete/", views.works_complete, name="works-complete"),
    path("works/projects/<int:project_id>/photo/", views.works_photo, name="works-photo"),
    path("wishes/", views.wishes, name="wishes"),
    path("wishes/new/", views.wish_post, name="wish-post"),
    path("wishes/<int:wish_id>/", views.wish_detail, name="wish"),
    path("wishes/<int:wish_id>/review/", views.wish_review, name="wish-review"),
    path("wishes/<int:wish_id>/claim/", views.wish_claim, name="wish-claim"),
    path("wishes/<int:wish_id>/fulfil/", views.wish_fulfil, name="wish-fulfil"),
    path("wishes/<int:wish_id>/photo/", views.wish_photo, name="wish-photo"),
    path("renovation/", views.renovation, name="renovation"),
    path("renovation/projects/", views.renovation_create, name="renovation-create"),
    path("renovation/applications/", views.application_create, name="application-create"),
    path("renovation/applications/<int:application_id>/", views.application_advance, name="application-advance"),
]
