from django.urls import path

from gongzhi.places import views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("estates/<int:place_id>/", views.estate, name="estate"),
]
