from django.urls import path

from gongzhi.orgs import views

app_name = "orgs"
urlpatterns = [path("", views.organization_list, name="list")]
