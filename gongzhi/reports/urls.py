from django.urls import path

from gongzhi.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report, name="report"),
    path("xlsx/", views.report_xlsx, name="xlsx"),
    path("schedule/", views.schedule, name="schedule"),
    path("stored/<int:pk>/", views.stored, name="stored"),
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/<slug:dataset>.<slug:fmt>", views.open_data_export, name="open-data-export"),
]
