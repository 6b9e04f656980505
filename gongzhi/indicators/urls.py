from django.urls import path

from gongzhi.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("definitions/", views.definitions, name="definitions"),
]
