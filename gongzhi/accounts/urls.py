from django.urls import path

from gongzhi.accounts import views

app_name = "accounts"
urlpatterns = [path("", views.people, name="people")]
