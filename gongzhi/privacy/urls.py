from django.urls import path

from gongzhi.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("download.json", views.download_json, name="download-json"),
    path("download.xlsx", views.download_xlsx, name="download-xlsx"),
    path("remove/", views.remove_account, name="remove"),
]
